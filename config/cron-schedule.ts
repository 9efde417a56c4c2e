// Config values for things that run on a clock: a cron expression and an IANA time zone, both checked when the
// config loads, so a typo stops start-up with its path instead of a schedule that never fires.
import { validateCronExpression } from "cron";
import { z } from "zod";
import { isTimeZone } from "./check-schedule.ts";

// A cron expression as the cron package reads it: five fields, or six with seconds first ("*/30 * * * * *").
export const cronExpression = z.string().min(1).superRefine((text, ctx) => {
  const { valid, error } = validateCronExpression(text);
  if (!valid) ctx.addIssue({ code: "custom", message: `expected a cron expression like "*/5 * * * *" (minute hour day month weekday, optionally seconds first): ${error?.message ?? "unreadable"}` });
});

// An IANA time zone name such as Europe/Berlin, or UTC.
export const timeZone = z.string().refine(isTimeZone, "expected an IANA time zone like Europe/Berlin or UTC");
