// How a host lock reads in the room; the deploy command reuses describeLock to say why it refuses.
import { formatUtc, formatUtcTime, isSameUtcDay } from "../../domain/format-utc.ts";
import type { Lock } from "./lock-port.ts";
import type { Block } from "./types.ts";

// "14:02", or "2026-11-20 14:02" when the lock was taken on another (UTC) day than now.
function formatSince(since: number, now: number): string {
  return isSameUtcDay(since, now) ? formatUtcTime(since, "minutes") : formatUtc(since, "minutes");
}

// "locked by @dan:example.org since 14:02 UTC: kernel upgrade".
export function describeHold(lock: Lock, now: number = lock.since): string {
  return `locked by ${lock.holder} since ${formatSince(lock.since, now)} UTC: ${lock.reason}`;
}

// "misato is locked by @dan:example.org since 14:02 UTC: kernel upgrade"; pass now to get the date for older locks.
export function describeLock(lock: Lock, now: number = lock.since): string {
  return `${lock.host} is ${describeHold(lock, now)}`;
}

// Who may let go of a lock, for refusals.
export function describeUnlockers(lock: Lock, prefix: string): string {
  return `Only ${lock.holder} or an admin can ${prefix}unlock ${lock.host}.`;
}

// The !locks table.
export function describeLocks(locks: readonly Lock[]): Block[] {
  if (locks.length === 0) return [{ kind: "text", text: "No hosts are locked." }];
  const rows = locks.map((l) => [l.host, l.holder, formatUtc(l.since, "minutes"), l.reason]);
  return [{ kind: "table", columns: ["host", "locked by", "since (UTC)", "reason"], rows }];
}
