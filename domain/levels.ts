// Access levels from the team's platform vision: a higher level may do everything a lower one may.

// The numeric access levels, 0 (unknown) to 4 (admin).
export type Level = 0 | 1 | 2 | 3 | 4;

// Level names in order, indexed by level.
export const LEVEL_NAMES = ["unknown", "communication", "contributor", "deployer", "admin"] as const;

// The name users see for a level ("3 (deployer)").
export function describeLevel(level: Level): string {
  return `${level} (${LEVEL_NAMES[level]})`;
}

// Reads a level from config: a number 0–4 or one of the names.
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 4) {
    return value as Level;
  }
  if (typeof value === "string") {
    const index = (LEVEL_NAMES as readonly string[]).indexOf(value.toLowerCase());
    if (index >= 0) return index as Level;
  }
  return undefined;
}
