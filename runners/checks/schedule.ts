// Schedules of dead-man's-switch checks: the next expected run after an instant, and the schedule in words.
import { CronTime } from "cron";
import { formatPeriod, parsePeriod } from "../../domain/period.ts";
import type { CheckSchedule } from "./types.ts";

// A schedule from config (already validated there): a period, or a cron expression in tz.
export function parseSchedule(schedule: string, tz: string): CheckSchedule {
  const ms = parsePeriod(schedule);
  return ms !== undefined ? { kind: "period", ms } : { kind: "cron", expression: schedule, tz };
}

// The first expected run after `after`: one period later, or the cron expression's next match.
export function findNextExpected(schedule: CheckSchedule, after: number): number {
  if (schedule.kind === "period") return after + schedule.ms;
  return new CronTime(schedule.expression, schedule.tz).getNextDateFrom(new Date(after), schedule.tz).toMillis();
}

const pad = (n: string) => n.padStart(2, "0");

// "every 1 d", "daily at 02:00 Europe/Berlin", or the expression itself for anything less plain.
export function describeSchedule(schedule: CheckSchedule): string {
  if (schedule.kind === "period") return `every ${formatPeriod(schedule.ms)}`;
  const fields = schedule.expression.trim().split(/\s+/);
  const daily = fields.length === 5 && /^\d{1,2}$/.test(fields[0]!) && /^\d{1,2}$/.test(fields[1]!) && fields.slice(2).every((f) => f === "*");
  if (daily) return `daily at ${pad(fields[1]!)}:${pad(fields[0]!)} ${schedule.tz}`;
  return `at "${schedule.expression}" ${schedule.tz}`;
}
