// The AlertsPort !alerts reads: open alert groups from the alert store, named as their messages name them.
import type Database from "better-sqlite3";
import type { AlertsPort } from "../commands/core/alerts-port.ts";
import type { GroupState } from "../http/alert-group.ts";
import { describeGroup, locateAlert } from "../http/alert-view.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import type { AlertView } from "./alert-views.ts";

// Lists firing alerts from the database's alert groups.
export function createAlertsPort(db: Database.Database): AlertsPort {
  const store = createAlertStore<GroupState, AlertView>(db);
  return {
    firing: () => store.open().map((g) => ({
      route: g.route,
      name: describeGroup(g.state, g.route),
      alerts: g.state.alerts.filter((a) => a.status === "firing").map((a) => ({ alertname: a.labels.alertname ?? "alert", instance: locateAlert(a.labels), severity: a.labels.severity, since: a.startsAt })),
    })),
  };
}
