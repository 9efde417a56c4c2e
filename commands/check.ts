// !check <name>: one dead-man's-switch check in detail: its schedule, recent pings, and the newest body a ping carried
// (borgmatic's log, a script's output), attached as a file.
import { LEVELS } from "../domain/levels.ts";
import { formatPeriod } from "../domain/period.ts";
import { formatUtc } from "../domain/format-utc.ts";
import { describeUnknownCheck, oneCheckArgs } from "./core/check-arg.ts";
import { describeAgo, describeExpected, describePingRow, describeState } from "./core/check-view.ts";
import { defineCommand, fail, ok, text, type Output } from "./core/types.ts";

// How many recent pings the reply lists.
export const CHECK_PINGS_SHOWN = 10;

// Shows one check, its recent pings, and the last body as a file.
export const checkCommand = defineCommand({
  name: "check",
  aliases: [],
  summary: "show one check: its schedule, recent pings, and the last log a ping sent (as a file)",
  usage: "check <name>",
  minLevel: LEVELS.communication,
  uses: ["checks"],
  args: oneCheckArgs,
  run: (ctx, name): Output => {
    const unknown = describeUnknownCheck(ctx.checks, name, ctx.prefix);
    if (unknown) return fail(unknown);
    const now = ctx.now();
    const check = ctx.checks.detail(name, now, CHECK_PINGS_SHOWN)!;
    const hosts = check.hosts.length > 0 ? ` Hosts: ${check.hosts.join(", ")}.` : "";
    const head = text(`${name}: ${describeState(check)}. Expected ${check.schedule}, grace ${formatPeriod(check.graceMs)}; next ${describeExpected(check, now)}; last ping ${describeAgo(check.lastPingAt, now)}.${hosts}`);
    if (check.pings.length === 0) return ok(head, text("No pings yet."));
    const table = { kind: "table" as const, columns: ["time (UTC)", "ping", "run took", "body"], rows: check.pings.map(describePingRow) };
    const body = check.lastBody;
    const last = check.pings.length === 1 ? "Last ping" : `Last ${check.pings.length} pings, newest first`;
    if (!body) return ok(head, text(`${last} (none carried a body):`), table);
    const file = { name: `${name}-${body.kind}-${formatUtc(body.at).replace(/[ :]/g, "-")}.log`, mimetype: "text/plain", data: body.body };
    return { ...ok(head, text(`${last}; the newest body (${body.body.length} bytes, ${body.kind} at ${formatUtc(body.at)} UTC) follows as a file:`), table), file };
  },
});
