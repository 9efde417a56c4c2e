// Configured checks as the state machine reads them.
import { parsePeriod } from "../../domain/period.ts";
import { parseSchedule } from "./schedule.ts";
import type { CheckSpec } from "./types.ts";

// The shape of one validated checks.<name> entry.
export interface CheckConfig {
  uuid?: string | undefined;
  slug?: string | undefined;
  schedule: string;
  tz: string;
  grace: string;
  room: string;
  hosts: string[];
}

// Specs from the validated checks section, in config order.
export function buildCheckSpecs(checks: Record<string, CheckConfig>): CheckSpec[] {
  return Object.entries(checks).map(([name, c]) => ({
    name, uuid: c.uuid, slug: c.slug, schedule: parseSchedule(c.schedule, c.tz), graceMs: parsePeriod(c.grace)!, room: c.room, hosts: c.hosts,
  }));
}
