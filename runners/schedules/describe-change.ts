// The words a scheduled check posts for a change: one line, free of "now", so a stored message renders the same
// every time. Times of day are in the schedule's time zone, as the team reads its clocks.
import { formatDuration } from "../jobs/format-duration.ts";
import { formatUptime } from "../status/format.ts";
import type { Transition } from "./track.ts";

const FIRING_MARKER = "🔥";
const RESOLVED_MARKER = "✅";
const HOUR_MS = 3_600_000;

// "14:02" in the zone.
export function formatClock(at: number, zone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
}

// "11 min" below an hour, "2h 5m" above.
export function formatSpan(ms: number): string {
  return ms < HOUR_MS ? formatDuration(ms) : formatUptime(ms / 1000, 2);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

// The message line for a transition of a problem on a host; reachability reads as "unreachable" and "back".
export function describeChange(host: string, key: string, change: Transition, zone: string): string {
  const reach = key === "reachability";
  if (change.kind === "problem") {
    const since = `since ${formatClock(change.since, zone)} (${plural(change.rounds, "check")})`;
    return reach ? `${FIRING_MARKER} ${host}: unreachable ${since} — ${change.detail}` : `${FIRING_MARKER} ${host}: ${change.detail} — ${since}`;
  }
  const span = formatSpan(change.backSince - change.problemSince);
  if (reach) return `${RESOLVED_MARKER} ${host}: back after ${span} (unreachable since ${formatClock(change.problemSince, zone)})`;
  return `${RESOLVED_MARKER} ${host}: ${change.detail} — resolved after ${span}`;
}
