// Takes Alertmanager notifications for the HTTP intake: each is committed to the intake table before the intake
// answers, then applied to its alert group after the burst it came in pauses (or at once, without a hold), and the
// poster is woken when a group's message must change.
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import type { GroupState } from "../http/alert-group.ts";
import type { AlertRoute, AlertSink } from "../http/ports.ts";
import type { AlertIntake } from "../storage/alert-intake.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { CommitQueue } from "../storage/commit-queue.ts";
import { applyIntakeSlice, type HeldNotification } from "./apply-alert-intake.ts";
import { NO_EXTRAS, type AlertView, type ViewExtras } from "./alert-views.ts";
import { createHold, type HoldTimes } from "./create-hold.ts";

// Applying waits until notifications pause for a moment, so a burst (an alert storm, Alertmanager flushing many
// groups) is applied once per group, after the requests that brought it have been answered; never longer than a second.
export const INTAKE_HOLD: HoldTimes = { quietMs: 20, maxMs: 1000 };
// Notifications applied per transaction: between two slices the event loop answers waiting requests (a slice of
// 100 takes about 7 ms on a 2-core machine, fewer when a group brought several of them).
const SLICE = 100;
// After a slice could not be applied (the database busy or failing), the next try.
const RETRY_MS = 1000;

// What the sink needs; without hold, each notification is applied before accept resolves.
export interface SinkDeps {
  store: AlertStore<GroupState, AlertView>;
  intake: AlertIntake;
  commits: CommitQueue;
  // Called after a commit that changes a group's message.
  changed(): void;
  routeOf(name: string): AlertRoute | undefined;
  log: Logger;
  now?: () => number;
  extras?: ViewExtras;
  metrics?: Pick<MetricsPort, "countAlertNotification">;
  hold?: HoldTimes;
}

// The sink, which also applies what a previous run accepted and left unapplied; settle() applies everything now.
export function createAlertSink(deps: SinkDeps): AlertSink & { settle(): void; stop(): void } {
  const held = new Map<number, HeldNotification>();
  const applyDeps = { ...deps, extras: deps.extras ?? NO_EXTRAS };
  const now = deps.now ?? Date.now;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const applySlice = () => {
    const { taken, changed } = applyIntakeSlice(applyDeps, held, SLICE);
    if (changed) deps.changed();
    return taken === SLICE;
  };
  const settle = () => {
    while (applySlice());
  };
  // A slice per turn of the event loop, so a long backlog never keeps requests waiting for more than one slice.
  const applyInTurns = () => {
    if (stopped) return;
    try {
      if (applySlice()) setImmediate(applyInTurns);
    } catch (error) {
      deps.log.error({ err: error }, `could not apply accepted Alertmanager notifications; trying again in ${RETRY_MS / 1000} s`);
      retry = setTimeout(applyInTurns, RETRY_MS);
    }
  };
  const hold = deps.hold ? createHold(deps.hold, applyInTurns) : undefined;
  const wake = () => (hold ? hold.nudge() : settle());
  if (deps.intake.count() > 0) wake();

  return {
    accept: async (route, payload) => {
      const receivedAt = now();
      let id: number | undefined;
      try {
        await deps.commits.run(() => {
          id = deps.intake.add(route.name, JSON.stringify(payload), receivedAt);
          held.set(id, { route, payload, receivedAt });
        });
      } catch (error) {
        if (id !== undefined) held.delete(id);
        throw error;
      }
      if (!stopped) wake();
    },
    settle,
    stop: () => {
      stopped = true;
      hold?.cancel();
      clearTimeout(retry);
    },
  };
}
