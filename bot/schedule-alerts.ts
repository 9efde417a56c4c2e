// Turns a scheduled check's confirmed change into an alert group, so it is posted, deduped, edited when it recovers
// and listed by !alerts exactly as Alertmanager's groups are: one group per schedule, host and problem key. magi holds
// the silences of these alerts itself: a covered change is stored quietly and its message shows the silence.
import type { Block } from "../commands/core/types.ts";
import { coversAlerts } from "../domain/matchers.ts";
import type { GroupState } from "../http/alert-group.ts";
import { describeSilenceMark, type SilenceMark } from "../http/alert-view.ts";
import { describeChange } from "../runners/schedules/describe-change.ts";
import { kindOf } from "../runners/schedules/observe-host.ts";
import { scheduleOf, scheduleRoute } from "../runners/schedules/route.ts";
import type { Transition } from "../runners/schedules/track.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { ScheduleStore } from "../storage/schedule-store.ts";
import type { SilenceStore, StoredSilence } from "../storage/silence-store.ts";
import type { AlertView } from "./alert-views.ts";

// Where a change is posted and how its times read.
export interface ScheduleTarget {
  name: string;
  room: string;
  timeZone: string;
}

// The group's state: one alert, firing since the problem began, or resolved when it came back.
function buildState(schedule: string, host: string, key: string, change: Transition): GroupState {
  const kind = kindOf(key);
  const problem = change.kind === "problem";
  const startsAt = problem ? change.since : change.problemSince;
  return {
    groupLabels: { host, kind },
    externalURL: "",
    truncatedAlerts: 0,
    alerts: [{
      fingerprint: key,
      status: problem ? "firing" : "resolved",
      labels: { alertname: key === "reachability" ? "unreachable" : change.detail, instance: host, host, schedule, kind, key },
      annotations: { summary: change.detail },
      startsAt,
      endsAt: problem ? null : change.backSince,
      generatorURL: "",
    }],
  };
}

// A stored silence as a message shows it.
export const toMark = (s: StoredSilence): SilenceMark => ({ id: s.silenceId, by: s.createdBy, until: s.endsAt, reason: s.comment });

// A schedule group's message: its change line, then the silences that cover it.
export function renderScheduleView(line: Block, marks: readonly SilenceMark[]): AlertView {
  return { blocks: [line, ...marks.map((m) => ({ kind: "text" as const, text: describeSilenceMark(m) }))], mentions: [] };
}

// The same message with other silences shown (its first block is always the change line).
export function restyleScheduleView(view: AlertView, marks: readonly SilenceMark[]): AlertView {
  return renderScheduleView(view.blocks[0] ?? { kind: "text", text: "" }, marks);
}

// Stores the change in the alert store (call inside the round's transaction); true when the room must hear of it.
// held are the silences magi holds that count now: those whose matchers cover the alert keep the room from hearing.
export function recordScheduleChange(alerts: AlertStore<GroupState, AlertView>, silences: SilenceStore, target: ScheduleTarget, host: string, key: string, change: Transition, now: number): boolean {
  const state = buildState(target.name, host, key, change);
  const covering = silences.activeHeld(now).filter((s) => coversAlerts(s.matchers, state.alerts.map((a) => a.labels)));
  const view = renderScheduleView({ kind: "text", text: describeChange(host, key, change, target.timeZone) }, covering.map(toMark));
  const result = alerts.record(scheduleRoute(target.name), `${host}/${key}`, target.room, now, () => ({ open: change.kind === "problem", state, resolved: change.kind === "recovered", view }));
  if (covering.length === 0) return result.changed;
  for (const s of covering) silences.mark(s.silenceId, result.id);
  if (result.changed) silences.holdBack(result.id);
  return false;
}

// Resolves the open groups of hosts no schedule watches any more (dropped from its hosts, or the schedule removed) and
// forgets their tracks, all in one transaction; watched maps each configured schedule to its hosts. Returns the groups.
export function resolveUnwatched(alerts: AlertStore<GroupState, AlertView>, tracks: ScheduleStore, watched: ReadonlyMap<string, ReadonlySet<string>>, now: number): string[] {
  return tracks.transact(() => alerts.open().flatMap((group) => {
    const schedule = scheduleOf(group.route);
    const host = group.state.groupLabels.host;
    if (schedule === undefined || host === undefined || watched.get(schedule)?.has(host)) return [];
    const [problem] = group.state.alerts;
    const what = problem?.labels.alertname;
    const state: GroupState = { ...group.state, alerts: group.state.alerts.map((a) => ({ ...a, status: "resolved", endsAt: a.endsAt ?? now })) };
    const view = renderScheduleView({ kind: "text", text: `✅ ${host}: ${what ? `${what} — ` : ""}no longer watched by schedule ${schedule}` }, []);
    alerts.record(group.route, group.groupKey, group.room, now, () => ({ open: false, state, resolved: true, view }));
    tracks.forgetHost(schedule, host);
    return [group.groupKey];
  }));
}
