import { describe, expect, it } from "vitest";
import { formatPeriod } from "../../../domain/period.ts";

const s = 1000, min = 60 * s, h = 60 * min, d = 24 * h;

describe("formatPeriod", () => {
  it.each([
    [0, "0 s"],
    [400, "0 s"],
    [5 * s, "5 s"],
    [90 * min, "1 h 30 min"],
    [d, "1 d"],
    [3 * h + 7 * s, "3 h"],
    [3 * h + 59 * s, "3 h"],
    [d + 5 * min, "1 d"],
    [2 * min + 3 * s, "2 min 3 s"],
    [8 * d, "1 w 1 d"],
  ])("%i ms reads %j: the largest unit and the one just below it", (ms, text) => {
    expect(formatPeriod(ms)).toBe(text);
  });
});
