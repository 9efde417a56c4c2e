// Plain sentences for zod's too_big and too_small issues, whatever kind of value they bound.
import type { z } from "zod";
import { describeValue } from "./describe-value.ts";

const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

// What a too_big/too_small issue expected and what it got, e.g. `expected a number at most 65535, got 70000`.
export function describeBounds(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const input = (issue as { input?: unknown }).input;
  const big = issue.code === "too_big";
  const limit = Number(big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum);
  const bound = issue.exact ? "exactly" : issue.inclusive === false ? (big ? "below" : "above") : big ? "at most" : "at least";
  switch (issue.origin) {
    case "string":
      if (!big && limit === 1) return `expected a non-empty string, got ${describeValue(input)}`;
      return `expected ${bound} ${plural(limit, "character")}, got ${describeValue(input)}${typeof input === "string" ? ` (${plural(input.length, "character")})` : ""}`;
    case "array":
    case "set":
      return `expected ${bound} ${plural(limit, "item")}, got ${Array.isArray(input) ? plural(input.length, "item") : describeValue(input)}`;
    case "int":
      return `expected a whole number ${bound} ${limit}, got ${describeValue(input)}`;
    default:
      return `expected a number ${bound} ${limit}, got ${describeValue(input)}`;
  }
}
