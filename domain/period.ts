// Periods as config and messages write them: "30s", "5m", "1h", "1d", "2w" in config; "30 s", "1 h", "1 d" in messages;
// and durations as people type them in chat (30m, 2h, 1h30m).

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const UNIT_WORDS: [keyof typeof UNIT_MS, string][] = [["w", "w"], ["d", "d"], ["h", "h"], ["m", "min"], ["s", "s"]];

// The pattern a period must match, for config messages.
export const PERIOD_PATTERN = /^([1-9][0-9]{0,5})(s|m|h|d|w)$/;
// The refusal for anything that is not a period.
export const PERIOD_MESSAGE = 'expected a period like "30s", "15m", "1h", "1d" or "1w"';

// The period in milliseconds, or undefined when the text is not one.
export function parsePeriod(text: string): number | undefined {
  const match = PERIOD_PATTERN.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

// "1 d", "90 min" → "1 h 30 min", "5 s": the largest unit it reaches and the one just below it, so
// "3 h 7 s" never shows (it is "3 h": seconds beside hours only look precise).
export function formatPeriod(ms: number): string {
  const rest = Math.max(0, Math.round(ms / 1000) * 1000);
  const first = UNIT_WORDS.findIndex(([unit]) => rest >= UNIT_MS[unit]);
  if (first === -1) return "0 s";
  const [unit, word] = UNIT_WORDS[first]!;
  const parts = [`${Math.floor(rest / UNIT_MS[unit])} ${word}`];
  const next = UNIT_WORDS[first + 1];
  const below = next ? Math.floor((rest % UNIT_MS[unit]) / UNIT_MS[next[0]]) : 0;
  if (next && below > 0) parts.push(`${below} ${next[1]}`);
  return parts.join(" ");
}

// The spellings a typed duration may take (chat, e.g. !silence 2h).
export const DURATION_FORMS = "a duration like 30m, 2h, 1d or 1h30m";

// Tells whether a token is written as a duration (whether or not it is in bounds).
export function looksLikeDuration(token: string): boolean {
  return /^(\d{1,6}[mhdw])+$/.test(token);
}

// Reads a duration between min and max; a string says what is wrong, naming the bounds in the same units.
export function parseDuration(token: string, bounds: { minMs: number; maxMs: number; min: string; max: string }): number | string {
  if (!looksLikeDuration(token)) return `expected ${DURATION_FORMS}, got "${token}"`;
  let ms = 0;
  for (const [, amount, unit] of token.matchAll(/(\d+)([mhdw])/g)) ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (ms < bounds.minMs) return `${token} is too short: at least ${bounds.min}`;
  if (ms > bounds.maxMs) return `${token} is too long: at most ${bounds.max}`;
  return ms;
}
