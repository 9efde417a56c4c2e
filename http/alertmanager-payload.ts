// Alertmanager's webhook payload (version 4). Unknown fields are ignored: newer Alertmanagers and Grafana add some.
import { z } from "zod";

const labels = z.record(z.string(), z.string());

// One alert as Alertmanager sends it.
const alert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels,
  annotations: labels.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  // Go's zero time means "not resolved yet".
  endsAt: z.string().default(""),
  generatorURL: z.string().default(""),
  fingerprint: z.string().min(1),
});

// The payload of one webhook notification.
export const alertmanagerPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(alert).min(1),
});

// A validated notification.
export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;
// A validated alert of a notification.
export type AlertmanagerAlert = AlertmanagerPayload["alerts"][number];
