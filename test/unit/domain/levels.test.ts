// Levels: the names, the admin check, and what config may say.
import { describe, expect, it } from "vitest";
import { describeLevel, isAdmin, LEVEL_CHOICES, LEVELS, MAX_LEVEL, parseLevel, type Level } from "../../../domain/levels.ts";

describe("levels", () => {
  it("name every level by its number", () => {
    expect(LEVELS).toEqual({ unknown: 0, communication: 1, contributor: 2, deployer: 3, admin: 4 });
    expect(MAX_LEVEL).toBe(4);
    expect(([0, 1, 2, 3, 4] as Level[]).map(describeLevel)).toEqual(["0 (unknown)", "1 (communication)", "2 (contributor)", "3 (deployer)", "4 (admin)"]);
  });

  it("count only level 4 as admin", () => {
    expect(([0, 1, 2, 3, 4] as Level[]).map(isAdmin)).toEqual([false, false, false, false, true]);
  });

  it("read numbers 0-4 and names from config, nothing else", () => {
    expect([0, 4, "admin", "Deployer", "unknown"].map(parseLevel)).toEqual([0, 4, 4, 3, 0]);
    expect([5, -1, 2.5, "4", "root", null, [1]].map(parseLevel)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(LEVEL_CHOICES).toBe("a level 0-4 or communication|contributor|deployer|admin");
  });
});
