// Times as the room reads them: UTC, to the minute or second, without the ISO "T" and "Z".

// "2026-11-20 14:02:07" (seconds) or "2026-11-20 14:02" (minutes).
export function formatUtc(at: number, precision: "minutes" | "seconds" = "seconds"): string {
  return new Date(at).toISOString().slice(0, precision === "seconds" ? 19 : 16).replace("T", " ");
}

// "14:02:07" or "14:02": the time of day alone.
export function formatUtcTime(at: number, precision: "minutes" | "seconds" = "seconds"): string {
  return formatUtc(at, precision).slice(11);
}

// Tells whether two instants fall on the same UTC day.
export function isSameUtcDay(a: number, b: number): boolean {
  return formatUtc(a).slice(0, 10) === formatUtc(b).slice(0, 10);
}
