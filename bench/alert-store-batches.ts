// The alerts benchmark's look at the storage alone: the real alert sink, intake, store and commit queue on a real SQLite
// file in the benchmark's directory, no HTTP, fed the benchmark's notifications n at a time per transaction (what a
// request waits for), then applying them to their groups (what happens once a burst pauses).
import { join } from "node:path";
import { pino } from "pino";
import { createAlertSink } from "../bot/alert-sink.ts";
import type { AlertView } from "../bot/alert-views.ts";
import { alertmanagerPayload, type AlertmanagerPayload } from "../http/alertmanager-payload.ts";
import type { GroupState } from "../http/alert-group.ts";
import { createAlertIntake } from "../storage/alert-intake.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import { createCommitQueue } from "../storage/commit-queue.ts";
import { openDatabase } from "../storage/open-database.ts";

const ROUTE = { name: "ops", room: "!bench:localhost", mention: [] };

// A hold that never ends within the measurement: applying waits for settle().
const NO_APPLYING = { quietMs: 2 ** 30, maxMs: 2 ** 30 };

// CPU ms per notification: accepting when perCommit notifications share each transaction, for each size asked, in
// the order asked (every size with its own group names, so each notification is a real change); then applying all
// of them to their groups.
export async function measureStoreBatches(dir: string, plan: (prefix: string) => string[], sizes: readonly number[]): Promise<{ accept: Array<[number, number]>; applyMs: number }> {
  const db = openDatabase(join(dir, "store-batches.sqlite"));
  let flush: (() => void) | undefined;
  const sink = createAlertSink({
    store: createAlertStore<GroupState, AlertView>(db), intake: createAlertIntake(db), commits: createCommitQueue(db, (f) => (flush = f)),
    changed: () => undefined, routeOf: () => ROUTE, log: pino({ level: "silent" }), hold: NO_APPLYING,
  });
  try {
    const result: Array<[number, number]> = [];
    let accepted = 0;
    for (const [i, size] of sizes.entries()) {
      const payloads: AlertmanagerPayload[] = plan(`Store${i}-`).map((body) => alertmanagerPayload.parse(JSON.parse(body)));
      const before = process.cpuUsage();
      for (let at = 0; at < payloads.length; at += size) {
        const accepted = payloads.slice(at, at + size).map((p) => sink.accept(ROUTE, p));
        flush!();
        await Promise.all(accepted);
      }
      const used = process.cpuUsage(before);
      result.push([size, (used.user + used.system) / 1000 / payloads.length]);
      accepted += payloads.length;
    }
    const before = process.cpuUsage();
    sink.settle();
    const used = process.cpuUsage(before);
    return { accept: result, applyMs: (used.user + used.system) / 1000 / accepted };
  } finally {
    sink.stop();
    db.close();
  }
}
