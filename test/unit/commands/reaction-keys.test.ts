import { describe, expect, it } from "vitest";
import { normalizeReactionKey, readVote } from "../../../commands/reaction-keys.ts";

const SKIN_TONES = ["\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];

describe("reaction keys", () => {
  it("strips the variation selector Slack adds and every skin tone", () => {
    expect(normalizeReactionKey("👍\uFE0F")).toBe("👍");
    for (const tone of SKIN_TONES) expect(normalizeReactionKey(`👍${tone}`)).toBe("👍");
    expect(normalizeReactionKey("👍🏽\uFE0F")).toBe("👍");
    expect(normalizeReactionKey(" ✅ ")).toBe("✅");
  });

  it("reads approvals", () => {
    for (const key of ["👍", "👍\uFE0F", "👍🏽", "👍🏿\uFE0F", "✅", "✔\uFE0F", "☑\uFE0F"]) expect(readVote(key), key).toBe("approve");
  });

  it("reads rejections", () => {
    for (const key of ["👎", "👎🏿", "👎\uFE0F", "❌", "✖\uFE0F"]) expect(readVote(key), key).toBe("reject");
  });

  it("reads Slack shortcodes from com.beeper.reaction.shortcode, or as the key itself", () => {
    expect(readVote("👍", ":+1:")).toBe("approve");
    expect(readVote("something-new", ":+1:")).toBe("approve");
    expect(readVote("something-new", ":thumbsdown:")).toBe("reject");
    expect(readVote(":white_check_mark:")).toBe("approve");
    expect(readVote(":x:")).toBe("reject");
  });

  it("casts no vote for custom mxc:// emoji, look-alikes or anything else", () => {
    expect(readVote("mxc://example.org/AbCdEf")).toBeUndefined();
    expect(readVote("mxc://example.org/AbCdEf", ":partyparrot:")).toBeUndefined();
    for (const key of ["🎉", "👀", "+1", "thumbsup", "👍👍", "👌", "✓", "", " "]) expect(readVote(key), key).toBeUndefined();
  });

  it("lets the key win when key and shortcode disagree", () => {
    expect(readVote("👎", ":+1:")).toBe("reject");
    expect(readVote("✅", ":x:")).toBe("approve");
  });
});
