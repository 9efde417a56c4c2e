// Words and cells for dead-man's-switch checks, shared by !checks and !check.
import { formatUtc } from "../../domain/format-utc.ts";
import { formatPeriod } from "../../domain/period.ts";
import type { CheckSummary, PingView } from "./checks-port.ts";

// "up", "late", "DOWN (failed)", "up, running".
export function describeState(check: CheckSummary): string {
  const state = check.state === "down" ? `DOWN (${check.reason === "failed" ? "failed" : check.reason === "overrun" ? "run too long" : "overdue"})` : check.state;
  return check.running ? `${state}, running` : state;
}

// "5 min ago", or "never".
export function describeAgo(at: number | null, now: number): string {
  return at === null ? "never" : `${formatPeriod(now - at)} ago`;
}

// "in 3 min", "3 min ago", or "—" while paused.
export function describeExpected(check: CheckSummary, now: number): string {
  if (check.expectedAt === undefined) return "—";
  return check.expectedAt >= now ? `in ${formatPeriod(check.expectedAt - now)}` : `${formatPeriod(now - check.expectedAt)} ago`;
}

// One ping as a table row: time (UTC), what it said, how long its run took, its body size.
export function describePingRow(ping: PingView): string[] {
  const said = ping.kind === "fail" && ping.exit !== null ? `fail (exit ${ping.exit})` : ping.kind === "success" && ping.exit !== null ? "success (exit 0)" : ping.kind;
  return [formatUtc(ping.at), said, ping.durationMs === null ? "" : formatPeriod(ping.durationMs), ping.bodyBytes === 0 ? "" : `${ping.bodyBytes} B`];
}
