// The state machine of a dead-man's-switch check, as a pure function of its stored facts and the time, the way
// healthchecks.io computes it: up until the next expected run, late during the grace time, then down. A failure is
// down at once; a run that started and did not end within the grace time is down too.
import { findNextExpected } from "./schedule.ts";
import type { CheckAssessment, CheckRecord, CheckSpec } from "./types.ts";

// The state of a check at `now`, and when it would change next without a ping.
export function assessCheck(spec: CheckSpec, record: CheckRecord, now: number): CheckAssessment {
  if (record.pausedAt !== null) return { state: "paused" };
  // Time counts from the last success, or from when magi began watching (or was told to resume), whichever is later.
  const anchor = Math.max(record.lastSuccessAt ?? record.createdAt, record.resumedAt ?? record.createdAt);
  const expectedAt = findNextExpected(spec.schedule, anchor);
  const downAt = expectedAt + spec.graceMs;
  if (record.lastFailAt !== null && record.lastFailAt > (record.lastSuccessAt ?? -Infinity)) return { state: "down", reason: "failed", expectedAt };
  const running = record.startedAt !== null;
  const overrunAt = running ? record.startedAt! + spec.graceMs : Infinity;
  if (now >= overrunAt) return { state: "down", reason: "overrun", expectedAt };
  if (now >= downAt && !running) return { state: "down", reason: "overdue", expectedAt };
  // A run in progress holds an overdue check at late until the run's own grace time is over.
  if (now >= expectedAt) return { state: "late", expectedAt, nextChangeAt: running ? overrunAt : downAt };
  return { state: record.lastSuccessAt === null ? "new" : "up", expectedAt, nextChangeAt: Math.min(expectedAt, overrunAt) };
}
