// How an alert group reads in the room: a headline, then one line per alert. Pure, and free of "now", so the same
// state always renders the same message (a resend that changes nothing renders nothing new).
import type { Block } from "../commands/core/types.ts";
import { formatUtc } from "../domain/format-utc.ts";
import { formatMatcher, matchLabels } from "../domain/matchers.ts";
import { formatDuration } from "../runners/jobs/format-duration.ts";
import { isResolved, type GroupAlert, type GroupState } from "./alert-group.ts";

// Severity label values and their markers; anything else gets the last one.
const SEVERITY_MARKERS: Record<string, string> = { critical: "🔴", error: "🔴", warning: "🟠", info: "🔵" };
const OTHER_MARKER = "⚪";
const RESOLVED_MARKER = "✅";

const at = (ms: number) => `${formatUtc(ms, "minutes")} UTC`;

// The severity that makes an alert mention the route's people.
export const CRITICAL = "critical";

// Tells whether a firing alert of the group is critical (its first message then mentions the route's people).
export function hasCriticalFiring(state: GroupState): boolean {
  return state.alerts.some((a) => a.status === "firing" && a.labels.severity === CRITICAL);
}

// "DiskFull · nas", from the group's labels (or the alerts' alertnames), else the route's name.
export function describeGroup(state: GroupState, route: string): string {
  const values = Object.values(state.groupLabels);
  if (values.length > 0) return values.join(" · ");
  const names = [...new Set(state.alerts.map((a) => a.labels.alertname).filter(Boolean))];
  return names.length > 0 ? names.join(", ") : route;
}

// Where an alert is: its instance label, else host, else job.
export function locateAlert(labels: Record<string, string>): string | undefined {
  return labels.instance ?? labels.host ?? labels.job;
}

function describeAlert(alert: GroupAlert): string {
  const where = locateAlert(alert.labels);
  const parts = [`${alert.labels.alertname ?? "alert"}${where ? ` on ${where}` : ""}`];
  const summary = alert.annotations.summary ?? alert.annotations.description;
  if (summary) parts.push(summary);
  if (alert.status === "firing") {
    const severity = alert.labels.severity;
    parts.push(`since ${at(alert.startsAt)}`);
    if (alert.generatorURL) parts.push(alert.generatorURL);
    return `${(severity && SEVERITY_MARKERS[severity]) ?? OTHER_MARKER} ${severity ? `[${severity}] ` : ""}${parts.join(" — ")}`;
  }
  parts.push(alert.endsAt === null ? "resolved" : `resolved after ${formatDuration(alert.endsAt - alert.startsAt)}`);
  return `${RESOLVED_MARKER} ${parts.join(" — ")}`;
}

// From the first alert's start to the last one's end, for a resolved group.
function describeFiredFor(state: GroupState): string {
  const start = Math.min(...state.alerts.map((a) => a.startsAt));
  const ends = state.alerts.map((a) => a.endsAt).filter((e): e is number => e !== null);
  if (ends.length === 0) return `fired from ${at(start)}`;
  const end = Math.max(...ends);
  return `fired for ${formatDuration(end - start)} (${at(start)} → ${at(end)})`;
}

// A silence the group's message shows.
export interface SilenceMark {
  id: string;
  by: string;
  until: number;
  reason: string;
}

// What the message shows besides Alertmanager's state: silences made from chat, and the link to Alertmanager's UI.
export interface GroupExtras {
  silences?: SilenceMark[];
  alertmanagerUrl?: string | undefined;
}

// The labels every alert of the group carries with the same value (Alertmanager's commonLabels), firing ones if any.
export function findCommonLabels(state: GroupState): Record<string, string> {
  const firing = state.alerts.filter((a) => a.status === "firing");
  const [first, ...rest] = firing.length > 0 ? firing : state.alerts;
  if (!first) return { ...state.groupLabels };
  return Object.fromEntries(Object.entries(first.labels).filter(([name, value]) => rest.every((a) => a.labels[name] === value)));
}

// The group in Alertmanager's UI, silenced alerts included: <base>/#/alerts?filter={alertname="DiskFull"}.
export function linkGroupInUi(base: string, groupLabels: Record<string, string>): string {
  const filter = `{${matchLabels(groupLabels).map(formatMatcher).join(",")}}`;
  return `${base.replace(/\/+$/, "")}/#/alerts?silenced=true&inhibited=true${filter === "{}" ? "" : `&filter=${encodeURIComponent(filter)}`}`;
}

// "🔕 Silenced by @dan:example.org until 2026-11-29 19:27 UTC (disk being replaced); silence 6f1c…".
export function describeSilenceMark(mark: SilenceMark): string {
  return `🔕 Silenced by ${mark.by} until ${at(mark.until)} (${mark.reason}); silence ${mark.id}`;
}

// The group's message.
export function renderAlertGroup(state: GroupState, route: string, extras: GroupExtras = {}): Block[] {
  const name = describeGroup(state, route);
  const blocks: Block[] = [];
  if (isResolved(state)) {
    blocks.push({ kind: "text", text: `${RESOLVED_MARKER} RESOLVED: ${name} — ${describeFiredFor(state)}` });
  } else {
    const firing = state.alerts.filter((a) => a.status === "firing").length;
    blocks.push({ kind: "text", text: `🔥 FIRING: ${name} — ${firing} of ${state.alerts.length} alert${state.alerts.length === 1 ? "" : "s"} firing` });
  }
  blocks.push({ kind: "list", items: state.alerts.map(describeAlert) });
  if (state.truncatedAlerts > 0) blocks.push({ kind: "text", text: `…and ${state.truncatedAlerts} more that Alertmanager left out (max_alerts).` });
  for (const mark of extras.silences ?? []) blocks.push({ kind: "text", text: describeSilenceMark(mark) });
  if (extras.alertmanagerUrl) blocks.push({ kind: "text", text: `In Alertmanager: ${linkGroupInUi(extras.alertmanagerUrl, state.groupLabels)}` });
  return blocks;
}
