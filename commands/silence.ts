// !silence: in reply to an alert message, silences that alert group in Alertmanager (from the labels its alerts share),
// or silences what explicit matchers say; the alert messages it covers then show who silenced it, until when and why.
// Scheduled checks' alerts are silenced by magi itself: in reply to one, or with a matcher on a label only they carry.
import { LEVELS } from "../domain/levels.ts";
import { formatMatcher, matchLabels, type Matcher } from "../domain/matchers.ts";
import { formatUtc } from "../domain/format-utc.ts";
import { ALL_SCHEDULES_ROUTE, SCHEDULE_ONLY_LABELS } from "../runners/schedules/route.ts";
import { silenceArgs } from "./core/silence-args.ts";
import type { AlertedGroup, ReachableAlertmanager } from "./core/silences-port.ts";
import { defineCommand, fail, ok, text, type ContextOf } from "./core/types.ts";

const USAGE = "silence [matchers...] <duration> <reason...>";

// How to use it, for a silence with nothing to say what it covers.
function describeUse(prefix: string): string {
  return `Reply to an alert message with ${prefix}silence 2h <reason> to silence that alert, or name what to silence: ${prefix}silence alertname=DiskFull instance=nas 2h <reason>.`;
}

// Where a silence goes and what it covers: the replied-to alert's route and labels, or the one Alertmanager configured.
function chooseTarget(ctx: ContextOf<"replyTo" | "silences">, matchers: Matcher[]): { route: string; group: AlertedGroup | undefined; matchers: Matcher[] } | string {
  const group = ctx.replyTo === undefined ? undefined : ctx.silences.groupAt(ctx.roomId, ctx.replyTo);
  if (group) {
    if (!ctx.silences.holds(group.route) && !ctx.silences.urlOf(group.route)) return `Alert route ${group.route} has no Alertmanager URL, so magi cannot silence its alerts: set alerts.routes.${group.route}.alertmanager_url.`;
    if (matchers.length > 0) return { route: group.route, group, matchers };
    const shared = matchLabels(group.commonLabels);
    if (shared.length === 0) return `The alerts of ${group.name} share no label to silence them by; name what to silence: ${ctx.prefix}silence alertname=… 2h <reason>.`;
    return { route: group.route, group, matchers: shared };
  }
  if (matchers.length === 0) return ctx.replyTo === undefined ? describeUse(ctx.prefix) : `That message is not one of magi's alert messages. ${describeUse(ctx.prefix)}`;
  if (matchers.some((m) => SCHEDULE_ONLY_LABELS.includes(m.name))) return { route: ALL_SCHEDULES_ROUTE, group: undefined, matchers };
  const managers: ReachableAlertmanager[] = ctx.silences.alertmanagers();
  if (managers.length === 0) return `No alert route has an Alertmanager URL, so magi cannot make silences: set alerts.routes.<name>.alertmanager_url. (Scheduled checks' alerts are silenced by magi itself: name their kind or schedule, as in ${ctx.prefix}silence host=nas kind=zfs 1d <reason>.)`;
  if (managers.length > 1) return `Routes ${managers.map((m) => m.route).join(", ")} use different Alertmanagers: reply to an alert message of the one you mean.`;
  return { route: managers[0]!.route, group: undefined, matchers };
}

// Creates an Alertmanager silence named after the caller.
export const silenceCommand = defineCommand({
  name: "silence",
  aliases: [],
  summary: "silence an alert in Alertmanager: reply to its message, or give matchers",
  usage: USAGE,
  minLevel: LEVELS.deployer,
  uses: ["replyTo", "silences"],
  args: silenceArgs,
  run: async (ctx, args) => {
    const target = chooseTarget(ctx, args.matchers);
    if (typeof target === "string") return fail(target);
    const request = { matchers: target.matchers, durationMs: args.durationMs, createdBy: ctx.caller.userId, comment: args.reason };
    const made = await ctx.silences.create(target.route, request, target.group?.groupId);
    if (!made.ok) return fail(made.message);
    const what = target.matchers.map(formatMatcher).join(", ");
    return ok(
      text(`🔕 Silenced ${what} until ${formatUtc(made.endsAt, "minutes")} UTC (${args.duration}): ${args.reason}`),
      text(`Silence ${made.id}; ${ctx.prefix}unsilence ${made.id} ends it early.`),
    );
  },
});
