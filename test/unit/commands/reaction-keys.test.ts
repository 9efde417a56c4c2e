import { describe, expect, it } from "vitest";
import { normalizeReactionKey, normalizeShortcode, readShownKey, readVote } from "../../../commands/core/reaction-keys.ts";

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

  it("reads Slack shortcodes as the key itself, or from com.beeper.reaction.shortcode for a custom emoji's mxc:// image", () => {
    expect(readVote("👍", ":+1:")).toBe("approve");
    expect(readVote(":white_check_mark:")).toBe("approve");
    expect(readVote(":x:")).toBe("reject");
    expect(readVote("mxc://example.org/ThumbsUp", ":+1:")).toBe("approve");
    expect(readVote("mxc://example.org/No", ":thumbsdown:")).toBe("reject");
  });

  it("normalises Slack skin-tone shortcodes as it does Unicode skin tones", () => {
    expect(normalizeShortcode(":+1::skin-tone-3:")).toBe(":+1:");
    expect(normalizeShortcode(" :thumbsdown::skin-tone-6: ")).toBe(":thumbsdown:");
    expect(readVote(":+1::skin-tone-3:")).toBe("approve");
    expect(readVote(":-1::skin-tone-2:")).toBe("reject");
    expect(readVote("mxc://example.org/ThumbsUp", ":thumbsup::skin-tone-5:")).toBe("approve");
    expect(normalizeShortcode(":+1::skin-tone-9:")).toBeUndefined();
    expect(normalizeShortcode("+1")).toBeUndefined();
  });

  it("counts what is shown: a 🎉 labelled :+1: is no approval, and a plain-text key ignores its label", () => {
    expect(readVote("🎉", ":+1:")).toBeUndefined();
    expect(readVote("👀", ":white_check_mark:")).toBeUndefined();
    expect(readVote("1\uFE0F\u20E3", ":+1:")).toBeUndefined();
    expect(readVote("🇩🇪", ":+1:")).toBeUndefined();
    expect(readVote("something-new", ":+1:")).toBeUndefined();
    expect(readVote(":partyparrot:", ":+1:")).toBeUndefined();
    expect(readVote("mxc://example.org/AbCdEf")).toBeUndefined();
    expect(readShownKey("🎉", ":+1:")).toBe("🎉");
    expect(readShownKey("👍🏽\uFE0F", ":thumbsdown:")).toBe("👍");
    expect(readShownKey("mxc://example.org/AbCdEf", ":partyparrot::skin-tone-2:")).toBe(":partyparrot:");
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
