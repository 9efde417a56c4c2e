// Decides what the room must hear about a check, and in which words: only transitions are announced (down or failed
// once, then up again once), never the grace period and never a repeat of a failure the room already knows.
import { formatPeriod } from "../../domain/period.ts";
import { formatCheckTime } from "./format-check-time.ts";
import { describeSchedule } from "./schedule.ts";
import type { CheckAssessment, CheckRecord, CheckSpec } from "./types.ts";

// How many trailing lines of a failed run's body the failure message quotes.
export const FAILURE_TAIL_LINES = 10;
const FAILURE_TAIL_CHARS = 2000;

// A message to post: what the room is told now, and the announced state to store with it.
export interface CheckAnnouncement {
  announced: CheckRecord["announced"];
  text: string;
  // The last lines of the failed run's body, shown as code.
  excerpt?: string;
}

// The last lines of a ping body, capped, for a failure message.
export function tailOf(body: string): string {
  const lines = body.replace(/\s+$/, "").split("\n").slice(-FAILURE_TAIL_LINES).join("\n");
  return lines.length > FAILURE_TAIL_CHARS ? `…${lines.slice(-FAILURE_TAIL_CHARS)}` : lines;
}

// When a check's expected time is announced: period checks say their zone, cron checks say it in the schedule.
function when(spec: CheckSpec, at: number): string {
  return formatCheckTime(at, spec.schedule.kind === "cron" ? spec.schedule.tz : "UTC") + (spec.schedule.kind === "cron" ? "" : " UTC");
}

// What to post for this assessment, or undefined when the room already knows (or nothing worth a message happened).
export function describeTransition(spec: CheckSpec, record: CheckRecord, assessment: CheckAssessment, failBody: string | undefined): CheckAnnouncement | undefined {
  const took = record.lastDurationMs !== null ? formatPeriod(record.lastDurationMs) : undefined;
  if (assessment.state === "up" && record.announced === "down") {
    return { announced: "none", text: `${spec.name} is up again${took ? `: run took ${took}` : "."}` };
  }
  if (assessment.state !== "down" || record.announced === "down") return undefined;
  const grace = formatPeriod(spec.graceMs);
  if (assessment.reason === "failed") {
    const exit = record.lastExit !== null ? ` (exit ${record.lastExit})` : "";
    const excerpt = failBody ? tailOf(failBody) : "";
    const text = `${spec.name} failed${exit}${took ? ` after ${took}` : ""}${excerpt ? ":" : "."}`;
    return excerpt ? { announced: "down", text, excerpt } : { announced: "down", text };
  }
  if (assessment.reason === "overrun") {
    return { announced: "down", text: `${spec.name} is DOWN: a run started ${when(spec, record.startedAt!)} has not finished within the grace time (${grace})` };
  }
  const expected = `expected ${describeSchedule(spec.schedule)}, grace ${grace}`;
  if (record.lastSuccessAt === null) {
    return { announced: "down", text: `${spec.name} is DOWN: no successful run yet (watched since ${when(spec, Math.max(record.createdAt, record.resumedAt ?? 0))}; ${expected})` };
  }
  return { announced: "down", text: `${spec.name} is DOWN: no successful run since ${when(spec, record.lastSuccessAt)} (${expected})` };
}
