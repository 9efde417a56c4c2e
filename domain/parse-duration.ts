// How long something should last, as people type it: 30m, 2h, 1d, 1h30m.

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

// The spellings a duration may take.
export const DURATION_FORMS = "a duration like 30m, 2h, 1d or 1h30m";

// Tells whether a token is written as a duration (whether or not it is in bounds).
export function looksLikeDuration(token: string): boolean {
  return /^(\d{1,6}[mhdw])+$/.test(token);
}

// Reads a duration between min and max; a string says what is wrong, naming the bounds in the same units.
export function parseDuration(token: string, bounds: { minMs: number; maxMs: number; min: string; max: string }): number | string {
  if (!looksLikeDuration(token)) return `expected ${DURATION_FORMS}, got "${token}"`;
  let ms = 0;
  for (const [, amount, unit] of token.matchAll(/(\d+)([mhdw])/g)) ms += Number(amount) * UNIT_MS[unit!]!;
  if (ms < bounds.minMs) return `${token} is too short: at least ${bounds.min}`;
  if (ms > bounds.maxMs) return `${token} is too long: at most ${bounds.max}`;
  return ms;
}
