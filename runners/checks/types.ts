// The dead-man's-switch vocabulary: a check as configured, what is stored about it, and the state computed from that.

// When a check expects its next successful run.
export type CheckSchedule = { kind: "period"; ms: number } | { kind: "cron"; expression: string; tz: string };

// One configured check, parsed.
export interface CheckSpec {
  name: string;
  uuid: string | undefined;
  slug: string | undefined;
  schedule: CheckSchedule;
  graceMs: number;
  room: string;
  hosts: string[];
}

// What a ping says.
export type PingKind = "start" | "success" | "fail" | "log";

// The stored facts about one check, from which its state is computed (so a restart loses nothing).
export interface CheckRecord {
  createdAt: number;
  pausedAt: number | null;
  resumedAt: number | null;
  lastPingAt: number | null;
  // The run in progress: set by /start, cleared by the success or failure that ends it.
  startedAt: number | null;
  startedRid: string | null;
  lastSuccessAt: number | null;
  lastFailAt: number | null;
  lastExit: number | null;
  lastDurationMs: number | null;
  // What the room was last told: "down" (a DOWN or failure message) until an "up again" message.
  announced: "none" | "down";
}

// A check's state, as healthchecks.io names them ("late" is its "grace").
export type CheckState = "new" | "up" | "late" | "down" | "paused";

// Why a check is down.
export type DownReason = "failed" | "overdue" | "overrun";

// A check's state at one instant, and when it changes next by time alone.
export interface CheckAssessment {
  state: CheckState;
  reason?: DownReason;
  // The next expected successful run (undefined while paused).
  expectedAt?: number;
  // The next instant the state changes unless a ping arrives first.
  nextChangeAt?: number;
}
