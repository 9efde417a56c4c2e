// Reads `systemctl list-units --failed --output=json`: a JSON array, one object per unit.
import type { FailedUnit } from "./types.ts";

function field(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === "string" ? value : "";
}

// Parses the array; undefined when the output is not that JSON (an old systemd prints its table instead).
export function parseFailedUnits(stdout: string): FailedUnit[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const units: FailedUnit[] = [];
  for (const item of parsed) {
    if (typeof item !== "object" || item === null) return undefined;
    const record = item as Record<string, unknown>;
    const unit = field(record, "unit");
    if (!unit) return undefined;
    units.push({ unit, sub: field(record, "sub"), description: field(record, "description") });
  }
  return units;
}
