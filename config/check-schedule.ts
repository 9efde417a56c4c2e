// Checks a dead-man's-switch schedule from config: a period, or a cron expression in a time zone (the cron package).
import { CronTime } from "cron";
import { parsePeriod } from "../domain/period.ts";

// Tells whether a time zone name is one this Node knows (IANA, e.g. Europe/Berlin).
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// A problem with the schedule, or undefined when it is a period or a cron expression the cron package accepts.
export function checkSchedule(schedule: string): string | undefined {
  if (parsePeriod(schedule) !== undefined) return undefined;
  if (/^\d+\s*[a-z]*$/i.test(schedule.trim())) return `"${schedule}" is neither a period (like "30s", "1h", "1d") nor a cron expression`;
  const { valid, error } = CronTime.validateCronExpression(schedule);
  return valid ? undefined : `"${schedule}" is not a cron expression (${error?.message ?? "invalid"}); expected e.g. "0 2 * * *" or a period like "1d"`;
}
