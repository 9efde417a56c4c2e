// What !checks, !check, !pause and !resume read and change: dead-man's-switch checks, without knowing where they live.
import type { CheckState, DownReason, PingKind } from "../../runners/checks/types.ts";

// One check as !checks lists it.
export interface CheckSummary {
  name: string;
  state: CheckState;
  reason: DownReason | undefined;
  schedule: string;
  graceMs: number;
  hosts: string[];
  lastPingAt: number | null;
  lastDurationMs: number | null;
  // The next expected successful run (undefined while paused).
  expectedAt: number | undefined;
  running: boolean;
}

// One stored ping as !check shows it.
export interface PingView {
  at: number;
  kind: PingKind;
  exit: number | null;
  durationMs: number | null;
  bodyBytes: number;
}

// A check with its recent pings and the newest body a ping carried.
export interface CheckDetail extends CheckSummary {
  pings: PingView[];
  lastBody: { at: number; kind: PingKind; body: Buffer } | undefined;
}

// Reads and pauses checks; names() lists every configured check for suggestions.
export interface ChecksPort {
  names(): string[];
  list(now: number): CheckSummary[];
  detail(name: string, now: number, pings: number): CheckDetail | undefined;
  // false when the check was already paused (pause) or not paused (resume).
  pause(name: string, by: string, now: number): boolean;
  resume(name: string, now: number): boolean;
}
