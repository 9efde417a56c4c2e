import { describe, expect, it } from "vitest";
import { capLevel, checkAccess, createLevelResolver } from "../../../commands/core/access.ts";
import { compileGlob } from "../../../commands/core/glob.ts";
import { pingCommand } from "../../../commands/ping.ts";
import { deployCommand } from "../../../commands/deploy.ts";
import { capEcho } from "../../../commands/core/echo.ts";

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

describe("levelNeeded through checkAccess", () => {
  it("asks the command what its arguments need, and names that level", () => {
    const dry = { args: { selector: "misato", action: "dry-activate" }, words: ["misato", "--dry-run"] };
    const real = { args: { selector: "misato", action: "switch" }, words: ["misato"] };
    expect(checkAccess(deployCommand, 2, "!", dry)).toEqual({ allowed: true });
    expect(checkAccess(deployCommand, 2, "!", real)).toEqual({ allowed: false, message: "!deploy misato needs level 3 (deployer); you have 2 (contributor)." });
    expect(checkAccess(deployCommand, 1, "!")).toEqual({ allowed: false, message: "!deploy needs level 2 (contributor); you have 1 (communication)." });
    const long = { args: { selector: "x".repeat(500), action: "switch" }, words: ["x".repeat(500)] };
    expect(checkAccess(deployCommand, 1, "!", long)).toEqual({ allowed: false, message: `!deploy ${"x".repeat(79)}… needs level 3 (deployer); you have 1 (communication).` });
  });
});

describe("capEcho", () => {
  it("keeps short text and cuts long text to 80 characters ending in an ellipsis", () => {
    expect(capEcho("deploy")).toBe("deploy");
    expect(capEcho("a".repeat(80))).toBe("a".repeat(80));
    expect(capEcho("a".repeat(81))).toBe(`${"a".repeat(79)}…`);
    expect(capEcho("a".repeat(60_000))).toHaveLength(80);
    expect(capEcho("😀".repeat(100))).toBe(`${"😀".repeat(79)}…`);
    expect(capEcho("😀".repeat(80))).toBe("😀".repeat(80));
    expect(capEcho("abcdef", 4)).toBe("abc…");
  });
});
