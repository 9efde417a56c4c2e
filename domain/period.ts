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

// "1 d", "90 min" → "1 h 30 min", "5 s": the largest units that divide it, at most two.
export function formatPeriod(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000) * 1000);
  for (const [unit, word] of UNIT_WORDS) {
    const size = UNIT_MS[unit];
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${word}`);
      rest %= size;
    }
  }
  return parts.length === 0 ? "0 s" : parts.join(" ");
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
