// The arguments of !silence: optional matchers, then how long, then why. Checked whole before anything is sent.
import { z } from "zod";
import { looksLikeMatcher, parseMatchers, type Matcher } from "../../domain/matchers.ts";
import { parseDuration } from "../../domain/period.ts";

// Alertmanager keeps expired silences for 5 days by default; a month is the longest a chat command should hide alerts.
export const MAX_SILENCE = { minMs: 60_000, maxMs: 30 * 86_400_000, min: "1m", max: "30d" };

// Long enough for a sentence, short enough for a table cell (as !lock's reason).
const MAX_REASON = 200;

// What !silence was asked to do.
export interface SilenceArgs {
  matchers: Matcher[];
  durationMs: number;
  duration: string;
  reason: string;
}

// Reads the tokens; a string is the first thing wrong with them.
export function readSilenceArgs(tokens: string[]): SilenceArgs | string {
  const split = tokens.findIndex((t) => !looksLikeMatcher(t));
  const matcherTokens = split === -1 ? tokens : tokens.slice(0, split);
  const matchers = parseMatchers(matcherTokens);
  if (typeof matchers === "string") return matchers;
  const duration = split === -1 ? undefined : tokens[split];
  if (duration === undefined) return "say for how long: a duration like 2h comes after the matchers";
  const durationMs = parseDuration(duration, MAX_SILENCE);
  if (typeof durationMs === "string") return durationMs;
  const reason = tokens.slice(split + 1).join(" ").trim();
  if (reason === "") return "say why: a reason is required after the duration (Alertmanager shows it with the silence)";
  if (reason.length > MAX_REASON) return `the reason is too long (at most ${MAX_REASON} characters)`;
  if (/\p{Cc}/u.test(reason)) return "the reason may not contain control characters";
  return { matchers, durationMs, duration, reason };
}

// The zod schema the command declares, so the dispatcher answers bad input with the usage line.
export const silenceArgs = z.array(z.string()).min(1, "say for how long and why").transform((tokens, ctx): SilenceArgs => {
  const read = readSilenceArgs(tokens);
  if (typeof read === "string") {
    ctx.addIssue({ code: "custom", message: read });
    return z.NEVER;
  }
  return read;
});
