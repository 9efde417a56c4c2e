// Reads a reaction as a vote. Slack (through mautrix-slack) adds U+FE0F and skin tones, so keys are normalised first;
// what counts is what people see: the key, and the shortcode only where the key is a custom emoji's image.

// What a reaction means for an approval prompt.
export type VoteKind = "approve" | "reject";

const APPROVE = new Set(["👍", "✅", "✔", "☑", ":+1:", ":thumbsup:", ":white_check_mark:", ":heavy_check_mark:"]);
const REJECT = new Set(["👎", "❌", "✖", ":-1:", ":thumbsdown:", ":x:"]);

// A key drawn as an emoji (keycaps and flags included); such a key is what every client shows.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
// A Slack shortcode, with Slack's skin-tone suffix: ":+1::skin-tone-3:".
const SHORTCODE = /^(:[^:\s]+:)(?::skin-tone-[1-6]:)?$/;

// Strips variation selectors and skin-tone modifiers: "👍️" and "👍🏽" both become "👍".
export function normalizeReactionKey(key: string): string {
  return key.normalize("NFC").replace(/[\uFE0E\uFE0F]/gu, "").replace(/[\u{1F3FB}-\u{1F3FF}]/gu, "").trim();
}

// Strips a Slack skin-tone suffix from a shortcode, as skin tones are stripped from emoji; undefined if it is no shortcode.
export function normalizeShortcode(shortcode: string): string | undefined {
  return SHORTCODE.exec(shortcode.trim())?.[1];
}

// What a client shows for a reaction: the emoji key, a `:name:` key as written, or for a custom emoji's mxc:// image its shortcode.
export function readShownKey(key: string, shortcode?: string): string | undefined {
  const normalized = normalizeReactionKey(key);
  if (EMOJI.test(normalized)) return normalized;
  if (normalized.startsWith("mxc://")) return shortcode === undefined ? undefined : normalizeShortcode(shortcode);
  return normalizeShortcode(normalized) ?? (normalized || undefined);
}

// The vote a reaction casts, if any: decided by what is shown, so a 🎉 labelled ":+1:" is no approval.
export function readVote(key: string, shortcode?: string): VoteKind | undefined {
  const shown = readShownKey(key, shortcode);
  if (shown === undefined) return undefined;
  if (APPROVE.has(shown)) return "approve";
  if (REJECT.has(shown)) return "reject";
  return undefined;
}
