// Access levels from the team's platform vision: a higher level may do everything a lower one may.

// The numeric access levels, 0 (unknown) to 4 (admin).
export type Level = 0 | 1 | 2 | 3 | 4;

// Level names in order, indexed by level.
export const LEVEL_NAMES = ["unknown", "communication", "contributor", "deployer", "admin"] as const;

// Each level by its name, so code says LEVELS.admin where it means the admin level, never a bare 4.
export const LEVELS = { unknown: 0, communication: 1, contributor: 2, deployer: 3, admin: 4 } as const satisfies Record<(typeof LEVEL_NAMES)[number], Level>;

// The highest level: what a room allows when it caps nothing.
export const MAX_LEVEL: Level = LEVELS.admin;

// Whether a level may do what only admins may (break others' locks, cancel others' jobs, admin DMs).
export function isAdmin(level: Level): boolean {
  return level >= LEVELS.admin;
}

// The name users see for a level ("3 (deployer)").
export function describeLevel(level: Level): string {
  return `${level} (${LEVEL_NAMES[level]})`;
}

// Reads a level from config: a number 0–4 or one of the names.
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_LEVEL) {
    return value as Level;
  }
  if (typeof value === "string") {
    const index = (LEVEL_NAMES as readonly string[]).indexOf(value.toLowerCase());
    if (index >= 0) return index as Level;
  }
  return undefined;
}

// What a config value for a level may be, for the message that refuses anything else.
export const LEVEL_CHOICES = `a level 0-${MAX_LEVEL} or ${LEVEL_NAMES.slice(1).join("|")}`;
