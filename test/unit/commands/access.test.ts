import { describe, expect, it } from "vitest";
import { capLevel, checkAccess, createLevelResolver } from "../../../commands/access.ts";
import { compileGlob } from "../../../commands/glob.ts";
import { pingCommand } from "../../../commands/ping.ts";

const resolve = createLevelResolver({
  users: { "@dan:example.org": 4, "@slack_t0123abcd-u999:example.org": 0 },
  patterns: [
    { glob: "@slack_t0123abcd-*:example.org", level: 1 },
    { glob: "@slack_t0123abcd-u0ps*:example.org", level: 3 },
  ],
});

describe("level resolution", () => {
  it("matches full IDs exactly", () => {
    expect(resolve("@dan:example.org")).toBe(4);
    expect(resolve("@dan:other.server")).toBe(0);
    expect(resolve("@Dan:example.org")).toBe(0);
    expect(resolve("@dan:example.org.evil")).toBe(0);
    expect(resolve("dan")).toBe(0);
  });

  it("matches bridged ghosts by pattern, highest level winning, exact entries first", () => {
    expect(resolve("@slack_t0123abcd-u0456:example.org")).toBe(1);
    expect(resolve("@slack_t0123abcd-u0ps1:example.org")).toBe(3);
    expect(resolve("@slack_t0123abcd-u999:example.org")).toBe(0);
    expect(resolve("@slack_t9999-u0456:example.org")).toBe(0);
  });

  it("never lets a glob cross into another server", () => {
    expect(resolve("@slack_t0123abcd-x:evil.org:example.org")).toBe(0);
    expect(compileGlob("@a*:example.org").test("@ab:cd:example.org")).toBe(false);
    expect(compileGlob("@a.b:x").test("@aXb:x")).toBe(false);
  });

  it("caps levels by room", () => {
    expect(capLevel(4, 1)).toBe(1);
    expect(capLevel(2, 4)).toBe(2);
  });
});

describe("checkAccess", () => {
  it("names the required level and the caller's", () => {
    expect(checkAccess(pingCommand, 0, "!")).toEqual({ allowed: false, message: "!ping needs level 1 (communication); you have 0 (unknown)." });
    expect(checkAccess(pingCommand, 1, "!")).toEqual({ allowed: true });
  });
});
