// Alertmanager webhook payloads for tests, shaped like the ones Alertmanager 0.28 sends.
import type { AlertmanagerPayload } from "../../../http/alertmanager-payload.ts";

type AlertInput = { name?: string; instance?: string; severity?: string; status?: "firing" | "resolved"; fingerprint?: string; startsAt?: string; endsAt?: string; summary?: string };

// A notification for group key, with the given alerts.
export function makePayload(groupKey: string, alerts: AlertInput[]): AlertmanagerPayload & Record<string, unknown> {
  const built = alerts.map((a) => ({
    status: a.status ?? "firing",
    labels: { alertname: a.name ?? "DiskFull", instance: a.instance ?? "nas", ...(a.severity ? { severity: a.severity } : {}) },
    annotations: { summary: a.summary ?? "Disk almost full" },
    startsAt: a.startsAt ?? "2026-11-20T14:02:00.123456789Z",
    endsAt: a.endsAt ?? "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example/graph?g0.expr=up",
    fingerprint: a.fingerprint ?? `${a.name ?? "DiskFull"}-${a.instance ?? "nas"}`,
  }));
  return {
    version: "4", groupKey, truncatedAlerts: 0, status: built.every((a) => a.status === "resolved") ? "resolved" : "firing", receiver: "magi",
    groupLabels: { alertname: alerts[0]?.name ?? "DiskFull" }, commonLabels: {}, commonAnnotations: {}, externalURL: "http://alertmanager.example",
    alerts: built, notification_reason: "new",
  };
}
