// Alertmanager webhook notifications (version 4) made by hand, for tests and the benchmark that post straight to
// magi's intake without an Alertmanager in between.
import { createHash } from "node:crypto";

// One alert of a group: where it fires, since when, and when it resolved (absent while firing).
export interface NotifiedAlert {
  instance: string;
  startsAt: Date;
  endsAt?: Date;
}

// Go's zero time: what Alertmanager sends as endsAt of an alert it has no end for.
const ZERO_TIME = "0001-01-01T00:00:00Z";

// The notification Alertmanager sends for the group of alertname name (group_by: [alertname]) carrying alerts.
export function buildNotification(name: string, alerts: NotifiedAlert[]) {
  const labelsOf = (a: NotifiedAlert) => ({ alertname: name, instance: a.instance, severity: "warning" });
  return {
    version: "4", groupKey: `{}:{alertname="${name}"}`, truncatedAlerts: 0, receiver: "magi",
    status: alerts.some((a) => a.endsAt === undefined) ? "firing" : "resolved",
    groupLabels: { alertname: name }, commonLabels: { alertname: name, severity: "warning" }, commonAnnotations: {},
    externalURL: "http://alertmanager.example",
    alerts: alerts.map((a) => ({
      status: a.endsAt === undefined ? "firing" : "resolved", labels: labelsOf(a), annotations: { summary: `${name} on ${a.instance}` },
      startsAt: a.startsAt.toISOString(), endsAt: a.endsAt?.toISOString() ?? ZERO_TIME, generatorURL: "http://prometheus.example/graph",
      fingerprint: createHash("sha256").update(JSON.stringify(labelsOf(a))).digest("hex").slice(0, 16),
    })),
  };
}

// POSTs a notification to one of magi's Alertmanager routes, as Alertmanager's webhook does; resolves with the status.
export async function postNotification(url: string, token: string, notification: ReturnType<typeof buildNotification>): Promise<number> {
  const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(notification) });
  await response.arrayBuffer();
  return response.status;
}
