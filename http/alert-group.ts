// What magi knows about one Alertmanager group, and how a notification changes it. Pure: the store keeps the state,
// the view reads it, and equal states render equal messages, which is how a resend that changes nothing sends nothing.
import type { AlertmanagerPayload } from "./alertmanager-payload.ts";

// One alert of a group, as last notified.
export interface GroupAlert {
  fingerprint: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  // When it resolved; a firing alert's endsAt from Alertmanager is only a guess at expiry, so it is not kept.
  endsAt: number | null;
  generatorURL: string;
}

// One episode of a group: from its first firing alert until every alert in it has resolved.
export interface GroupState {
  groupLabels: Record<string, string>;
  externalURL: string;
  truncatedAlerts: number;
  alerts: GroupAlert[];
}

function toGroupAlert(alert: AlertmanagerPayload["alerts"][number]): GroupAlert {
  const endsAt = alert.status === "resolved" ? Date.parse(alert.endsAt) : NaN;
  return {
    fingerprint: alert.fingerprint, status: alert.status, labels: alert.labels, annotations: alert.annotations,
    startsAt: Date.parse(alert.startsAt), endsAt: Number.isNaN(endsAt) ? null : endsAt, generatorURL: alert.generatorURL,
  };
}

// Tells whether every alert of the episode has resolved.
export function isResolved(state: GroupState): boolean {
  return state.alerts.every((a) => a.status === "resolved");
}

// The next state of a group: the notification's alerts replace known ones by fingerprint; alerts it no longer carries
// (Alertmanager drops resolved ones once it has sent them) keep their last state. A firing notification for a group
// whose episode has resolved opens a new episode, so the room gets a new message.
export function mergeNotification(latest: GroupState | undefined, payload: AlertmanagerPayload): { state: GroupState; opened: boolean } {
  const opened = latest === undefined || (isResolved(latest) && payload.alerts.some((a) => a.status === "firing"));
  const byFingerprint = new Map((opened ? [] : latest.alerts).map((a) => [a.fingerprint, a]));
  for (const alert of payload.alerts) byFingerprint.set(alert.fingerprint, toGroupAlert(alert));
  const alerts = [...byFingerprint.values()].sort((a, b) => a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
  return { opened, state: { groupLabels: payload.groupLabels, externalURL: payload.externalURL, truncatedAlerts: payload.truncatedAlerts, alerts } };
}
