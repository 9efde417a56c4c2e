// !checks: every dead-man's-switch check with its state, last ping, last run's duration and next expected run.
import { LEVELS } from "../domain/levels.ts";
import { formatPeriod } from "../domain/period.ts";
import { noArgs } from "./core/args.ts";
import { describeAgo, describeExpected, describeState } from "./core/check-view.ts";
import { defineCommand, ok, text } from "./core/types.ts";

// Lists the checks as a table, in config order.
export const checksCommand = defineCommand({
  name: "checks",
  aliases: [],
  summary: "list the backup and job checks (dead-man's switch): state, last ping, last run, next expected",
  usage: "checks",
  minLevel: LEVELS.communication,
  uses: ["checks"],
  args: noArgs,
  run: (ctx) => {
    const now = ctx.now();
    const checks = ctx.checks.list(now);
    if (checks.length === 0) return ok(text("No checks are configured (checks: in magi's config)."));
    const down = checks.filter((c) => c.state === "down").length;
    const rows = checks.map((c) => [c.name, describeState(c), describeAgo(c.lastPingAt, now), c.lastDurationMs === null ? "" : formatPeriod(c.lastDurationMs), describeExpected(c, now)]);
    return ok(
      text(`${checks.length} check${checks.length === 1 ? "" : "s"}, ${down === 0 ? "none" : down} down:`),
      { kind: "table", columns: ["check", "state", "last ping", "last run took", "next expected"], rows },
    );
  },
});
