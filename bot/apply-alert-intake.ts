// Applies accepted Alertmanager notifications to their alert groups, oldest first. The notifications of one group in
// a slice are folded into one update of its row: the group's state is read and written once, however many of them
// a burst brought, while each is still rendered in turn, so one that changes nothing is counted as such.
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import { isResolved, mergeNotification, type GroupState } from "../http/alert-group.ts";
import { alertmanagerPayload, type AlertmanagerPayload } from "../http/alertmanager-payload.ts";
import { hasCriticalFiring, renderAlertGroup } from "../http/alert-view.ts";
import type { AlertRoute } from "../http/ports.ts";
import type { AlertIntake, IntakeRow } from "../storage/alert-intake.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import { collectExtras, type AlertView, type ViewExtras } from "./alert-views.ts";

// An accepted notification, as the intake handed it over (or as read back from the database after a restart).
export interface HeldNotification {
  route: AlertRoute;
  payload: AlertmanagerPayload;
  receivedAt: number;
  // Read back from the database: accepted by an earlier run of magi, which stopped before applying it.
  revived?: true;
}

// What applying needs.
export interface ApplyDeps {
  store: AlertStore<GroupState, AlertView>;
  intake: AlertIntake;
  extras: ViewExtras;
  // The configured route of a name, for notifications read back from the database.
  routeOf(name: string): AlertRoute | undefined;
  log: Logger;
  metrics?: Pick<MetricsPort, "countAlertNotification">;
}

// Folds notifications of one group into its latest episode, up to one that opens a new episode (which needs a row of
// its own); says how many it used, whether the room must hear of it, and how many changed nothing.
function applyRun(deps: ApplyDeps, items: HeldNotification[]): { used: number; changed: boolean; unchanged: number; revived: number } {
  const { route, payload: first, receivedAt } = items[0]!;
  let used = 0;
  let unchanged = 0;
  let revived = 0;
  const { changed } = deps.store.record(route.name, first.groupKey, route.room, receivedAt, (latest) => {
    let state = latest?.state;
    let seen = latest ? JSON.stringify(latest.view) : undefined;
    let open = false;
    let view: AlertView | undefined;
    for (const item of items) {
      const merged = mergeNotification(state, item.payload);
      if (merged.opened && used > 0) break;
      open ||= merged.opened;
      const shown = collectExtras(deps.extras, route.name, open ? undefined : latest?.id, item.receivedAt);
      view = { blocks: renderAlertGroup(merged.state, route.name, shown), mentions: hasCriticalFiring(merged.state) ? route.mention : [] };
      const rendered = JSON.stringify(view);
      if (!merged.opened && rendered === seen) unchanged++;
      if (item.revived) revived++;
      seen = rendered;
      state = merged.state;
      used++;
    }
    return { open, state: state!, resolved: isResolved(state!), view: view! };
  });
  return { used, changed, unchanged, revived };
}

// The value of a stored JSON text, or undefined when it is not JSON (a damaged row must not stop the rows after it).
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// A stored notification made whole again: its payload parsed, its route looked up; undefined (and logged) if either fails.
function revive(deps: ApplyDeps, row: IntakeRow): HeldNotification | undefined {
  const route = deps.routeOf(row.route);
  const parsed = alertmanagerPayload.safeParse(parseJson(row.payload));
  if (route && parsed.success) return { route, payload: parsed.data, receivedAt: row.receivedAt, revived: true };
  deps.log.error({ route: row.route, intakeId: row.id }, route ? "a stored Alertmanager notification no longer reads as one; dropped" : "a stored Alertmanager notification's route is no longer configured; dropped");
  return undefined;
}

// Applies up to limit of the oldest accepted notifications in one transaction, dropping them from the intake as it
// does; held has those the intake handed over in this run. Says how many were taken and whether a message must change.
export function applyIntakeSlice(deps: ApplyDeps, held: Map<number, HeldNotification>, limit: number): { taken: number; changed: boolean } {
  return deps.intake.transact(() => {
    const rows = deps.intake.oldest(limit);
    const runs = new Map<string, HeldNotification[]>();
    for (const row of rows) {
      const item = held.get(row.id) ?? revive(deps, row);
      if (!item) continue;
      const key = JSON.stringify([item.route.name, item.payload.groupKey]);
      const run = runs.get(key);
      if (run) run.push(item);
      else runs.set(key, [item]);
    }
    let changed = false;
    for (const items of runs.values()) {
      for (let rest = items; rest.length > 0;) {
        const { route, payload } = rest[0]!;
        try {
          // The store's record is a savepoint of its own: a group whose notifications cannot be applied undoes only itself.
          const result = applyRun(deps, rest);
          changed ||= result.changed;
          for (let i = 0; i < result.used; i++) deps.metrics?.countAlertNotification(route.name, i >= result.unchanged);
          deps.log.info({ route: route.name, groupKey: payload.groupKey, notifications: result.used, unchanged: result.unchanged, revived: result.revived, changed: result.changed }, "alert notifications applied");
          rest = rest.slice(result.used);
        } catch (error) {
          deps.log.error({ err: error, route: route.name, groupKey: payload.groupKey, notifications: rest.length }, "could not apply Alertmanager notifications to their group; dropped");
          rest = [];
        }
      }
    }
    if (rows.length > 0) deps.intake.removeThrough(rows.at(-1)!.id);
    for (const row of rows) held.delete(row.id);
    return { taken: rows.length, changed };
  });
}
