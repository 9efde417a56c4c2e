// What a ping does to a check's stored facts: /start opens a run, success and failure (an exit status) end it with
// its duration, /log only notes the time. Pure, so the store applies it inside its transaction.
import type { CheckRecord, PingKind } from "./types.ts";

// One ping as received.
export interface PingFacts {
  at: number;
  kind: PingKind;
  exit: number | null;
  rid: string | null;
}

// The record after the ping, and the duration of the run it ended (if it ended one with a known start).
// ridStartedAt: when the /start with the same ?rid= arrived, if any.
export function applyPing(record: CheckRecord, ping: PingFacts, ridStartedAt: number | undefined): { record: CheckRecord; durationMs: number | null } {
  const next: CheckRecord = { ...record, lastPingAt: ping.at };
  if (ping.kind === "log") return { record: next, durationMs: null };
  if (ping.kind === "start") return { record: { ...next, startedAt: ping.at, startedRid: ping.rid }, durationMs: null };
  // With a rid, the finish pairs with its own start; without, with the run in progress (healthchecks' rule).
  const startedAt = ping.rid !== null ? ridStartedAt : (record.startedAt ?? undefined);
  const durationMs = startedAt !== undefined && startedAt <= ping.at ? ping.at - startedAt : null;
  const endsOpenRun = ping.rid === null || record.startedRid === null || record.startedRid === ping.rid;
  const ended = endsOpenRun ? { startedAt: null, startedRid: null } : {};
  const outcome = ping.kind === "success" ? { lastSuccessAt: ping.at } : { lastFailAt: ping.at, lastExit: ping.exit };
  return { record: { ...next, ...ended, ...outcome, lastDurationMs: durationMs }, durationMs };
}
