// Reads a reaction as a vote. Slack (through mautrix-slack) adds U+FE0F and skin tones, so keys are normalised first.

// What a reaction means for an approval prompt.
export type VoteKind = "approve" | "reject";

const APPROVE = new Set(["👍", "✅", "✔", "☑", ":+1:", ":thumbsup:", ":white_check_mark:", ":heavy_check_mark:"]);
const REJECT = new Set(["👎", "❌", "✖", ":-1:", ":thumbsdown:", ":x:"]);

// Strips variation selectors and skin-tone modifiers: "👍️" and "👍🏽" both become "👍".
export function normalizeReactionKey(key: string): string {
  return key.normalize("NFC").replace(/[\uFE0E\uFE0F]/gu, "").replace(/[\u{1F3FB}-\u{1F3FF}]/gu, "").trim();
}

// The vote a reaction key casts, if any.
export function readVote(key: string, shortcode?: string): VoteKind | undefined {
  for (const candidate of [normalizeReactionKey(key), shortcode?.trim()]) {
    if (!candidate) continue;
    if (APPROVE.has(candidate)) return "approve";
    if (REJECT.has(candidate)) return "reject";
  }
  return undefined;
}
