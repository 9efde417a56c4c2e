// The alert sink as the tests use it: on a real database, applying each notification before accept resolves unless
// a hold is given, with a silent log.
import type Database from "better-sqlite3";
import { pino } from "pino";
import { createAlertSink, type SinkDeps } from "../../../bot/alert-sink.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import { createAlertIntake } from "../../../storage/alert-intake.ts";
import { createAlertStore, type AlertStore } from "../../../storage/alert-store.ts";
import { createCommitQueue } from "../../../storage/commit-queue.ts";

// A sink over db (and store, if the test has one); options as createAlertSink takes them.
export function makeSink(db: Database.Database, options: Partial<SinkDeps> & { store?: AlertStore<GroupState, AlertView> } = {}) {
  return createAlertSink({
    store: options.store ?? createAlertStore<GroupState, AlertView>(db), intake: createAlertIntake(db), commits: createCommitQueue(db),
    changed: () => undefined, routeOf: () => undefined, log: pino({ level: "silent" }), ...options,
  });
}
