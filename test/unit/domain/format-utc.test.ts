// UTC times as the room shows them.
import { describe, expect, it } from "vitest";
import { formatUtc, formatUtcTime, isSameUtcDay } from "../../../domain/format-utc.ts";

const AT = Date.UTC(2026, 10, 20, 14, 2, 7, 900);

describe("formatUtc", () => {
  it("writes date and time in UTC, to the second or minute, never rounding up", () => {
    expect(formatUtc(AT)).toBe("2026-11-20 14:02:07");
    expect(formatUtc(AT, "minutes")).toBe("2026-11-20 14:02");
    expect(formatUtcTime(AT)).toBe("14:02:07");
    expect(formatUtcTime(AT, "minutes")).toBe("14:02");
  });

  it("tells UTC days apart at midnight", () => {
    const midnight = Date.UTC(2026, 10, 21);
    expect(isSameUtcDay(AT, midnight - 1)).toBe(true);
    expect(isSameUtcDay(AT, midnight)).toBe(false);
  });
});
