// Turns a scheduled check's confirmed change into an alert group, so it is posted, deduped, edited when it recovers
// and listed by !alerts exactly as Alertmanager's groups are: one group per schedule, host and problem key.
import type { GroupState } from "../http/alert-group.ts";
import { describeChange } from "../runners/schedules/describe-change.ts";
import { kindOf } from "../runners/schedules/observe-host.ts";
import type { Transition } from "../runners/schedules/track.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { AlertView } from "./alert-sink.ts";

// The alert route a schedule's groups are stored under.
export const scheduleRoute = (schedule: string) => `schedule:${schedule}`;

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
      labels: { alertname: key === "reachability" ? "unreachable" : change.detail, instance: host, schedule, kind, key },
      annotations: { summary: change.detail },
      startsAt,
      endsAt: problem ? null : change.backSince,
      generatorURL: "",
    }],
  };
}

// Stores the change in the alert store (call inside the round's transaction); true when the room must hear of it.
export function recordScheduleChange(alerts: AlertStore<GroupState, AlertView>, target: ScheduleTarget, host: string, key: string, change: Transition, now: number): boolean {
  const view = { blocks: [{ kind: "text" as const, text: describeChange(host, key, change, target.timeZone) }], mentions: [] };
  const state = buildState(target.name, host, key, change);
  const result = alerts.record(scheduleRoute(target.name), `${host}/${key}`, target.room, now, () => ({ open: change.kind === "problem", state, resolved: change.kind === "recovered", view }));
  return result.changed;
}
