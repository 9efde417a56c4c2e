// Instants in check messages, in the check's time zone: "Tue 02:13", as people read a backup's night.

// "Tue 02:13" in tz.
export function formatCheckTime(at: number, tz: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("weekday")} ${part("hour")}:${part("minute")}`;
}
