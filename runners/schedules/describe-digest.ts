// The digest a schedule posts at its own time: the fleet in one message, from the problems already confirmed (so it
// never disagrees with the alerts in the room and costs no extra SSH round).
import { formatClock } from "./describe-change.ts";

// A confirmed problem, as the schedule store keeps it.
export interface OpenProblem {
  host: string;
  key: string;
  detail: string;
  problemSince: number | null;
}

// "14:02" today, "Nov 18 14:02" before, in the zone.
function formatSince(at: number, now: number, zone: string): string {
  const day = (ms: number) => new Intl.DateTimeFormat("en-US", { timeZone: zone, month: "short", day: "numeric" }).format(ms);
  return day(at) === day(now) ? formatClock(at, zone) : `${day(at)} ${formatClock(at, zone)}`;
}

// A headline and one line per open problem, hosts in the schedule's order.
export function describeDigest(schedule: string, hosts: readonly string[], open: readonly OpenProblem[], now: number, zone: string): { headline: string; items: string[] } {
  const mine = open.filter((p) => hosts.includes(p.host)).sort((a, b) => hosts.indexOf(a.host) - hosts.indexOf(b.host));
  const troubled = new Set(mine.map((p) => p.host)).size;
  const headline = mine.length === 0
    ? `📋 ${schedule}: all ${hosts.length} hosts fine`
    : `📋 ${schedule}: ${hosts.length - troubled} of ${hosts.length} hosts fine, ${mine.length} open problem${mine.length === 1 ? "" : "s"}`;
  const items = mine.map((p) => {
    const since = p.problemSince === null ? "" : ` since ${formatSince(p.problemSince, now, zone)}`;
    return p.key === "reachability" ? `${p.host}: unreachable${since} — ${p.detail}` : `${p.host}: ${p.detail}${since ? ` —${since}` : ""}`;
  });
  return { headline, items };
}
