// Reads `cat /proc/uptime /proc/loadavg`: seconds since boot, then the 1, 5 and 15 minute load averages.
import type { UptimeLoad } from "./types.ts";

const NUMBER = /^\d+(\.\d+)?$/;

// Parses the two lines; undefined when they are not what Linux prints.
export function parseUptimeLoad(stdout: string): UptimeLoad | undefined {
  const [uptimeLine, loadLine] = stdout.split("\n");
  const uptime = uptimeLine?.trim().split(/\s+/)[0];
  const load = loadLine?.trim().split(/\s+/).slice(0, 3);
  if (!uptime || !NUMBER.test(uptime) || !load || load.length < 3 || !load.every((l) => NUMBER.test(l))) return undefined;
  const [one, five, fifteen] = load.map(Number) as [number, number, number];
  return { uptimeSeconds: Number(uptime), load: [one, five, fifteen] };
}
