// The job model every host action goes through: what a job is, what its work gets, and what it reports.
import type { TrackedProcess } from "./tracked-process.ts";

// Where a job is in its life. Terminal states never change again.
export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out" | "interrupted";

// States a job ends in.
export const TERMINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled", "timed_out", "interrupted"];

// What a job's work may do while it runs: watch for cancellation, write log lines, name its phase.
export interface JobIO {
  signal: AbortSignal;
  log(line: string): void;
  phase(name: string): void;
  // Records the process doing the work (right after it is spawned), so a restart can find it again.
  track?(process: TrackedProcess): void;
  // Marks the moment the work may first change something beyond magi (before the deploy tool starts);
  // until then a restart knows the job did nothing anyone can see.
  launch?(): void;
}

// How the work ended, in words for the room.
export interface JobOutcome {
  ok: boolean;
  summary: string;
  exitCode?: number | null;
  timedOut?: boolean;
  cancelled?: boolean;
  // The work's result cannot be known (a process that outlived magi's restart ended unseen).
  interrupted?: boolean;
}

// The work itself; it must honour io.signal and never throw for expected failures.
export type JobWork = (io: JobIO) => Promise<JobOutcome>;

// A request to run work on a host.
export interface JobRequest {
  command: string;
  host: string;
  requester: string;
  roomId: string;
  mutating: boolean;
  timeoutMs: number;
  work: JobWork;
  // The audit row this job completes, and the approval that allowed it; stored with the job so both survive a restart.
  auditId?: number | null;
  approvalId?: number | null;
  // The work calls io.launch() before its first outside effect; a job cut off before that is known to have done nothing.
  deferLaunch?: boolean;
}

// A job as stored and shown.
export interface JobRecord {
  id: number;
  command: string;
  host: string;
  requester: string;
  roomId: string;
  mutating: boolean;
  state: JobState;
  phase: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  exitCode: number | null;
  summary: string | null;
  messageEventId: string | null;
  auditId: number | null;
  approvalId: number | null;
  // Whether the work marks its launch itself, and when it did (null: not yet, or it never marks it).
  launchDeferred: boolean;
  launchedAt: number | null;
}

// What commands may do with jobs.
export interface JobsPort {
  // Stores and queues a job; waitingBehind names the job holding the host's lock, if any.
  submit(request: JobRequest): { job: JobRecord; waitingBehind: number | null };
  // Cancels a queued or running job; only its requester or an admin may.
  cancel(id: number, by: string, isAdmin: boolean): { ok: true; job: JobRecord } | { ok: false; message: string };
  get(id: number): JobRecord | undefined;
  // Running and queued jobs first, then the most recent others.
  list(limit: number): JobRecord[];
  // The full log, byte for byte as the work wrote it.
  readLog(id: number): string | undefined;
  // Resolves when the job has ended (at once if it already has).
  waitFor(id: number): Promise<JobRecord>;
}

// A new job's fields.
export type NewJob = Pick<JobRecord, "command" | "host" | "requester" | "roomId" | "mutating" | "createdAt"> & Partial<Pick<JobRecord, "auditId" | "approvalId" | "launchDeferred">>;

// Reads and writes jobs.
export interface JobStore {
  insert(job: NewJob): JobRecord;
  get(id: number): JobRecord | undefined;
  update(id: number, changes: Partial<Pick<JobRecord, "state" | "phase" | "startedAt" | "finishedAt" | "exitCode" | "summary" | "messageEventId" | "launchedAt">>): JobRecord;
  list(limit: number): JobRecord[];
  appendLog(id: number, text: string): void;
  readLog(id: number): string | undefined;
  // Marks every queued or running job interrupted (after a crash or restart), except those in keep, and returns them.
  interruptUnfinished(now: number, keep?: ReadonlySet<number>): JobRecord[];
  // Runs fn in one transaction: the jobs of one command are stored all together or not at all.
  transaction<T>(fn: () => T): T;
}
