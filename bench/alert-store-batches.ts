// The alerts benchmark's look at group commit alone: the real alert sink, store and commit queue on a real SQLite file
// in the benchmark's directory, no HTTP, fed the benchmark's notifications n at a time per transaction.
import { join } from "node:path";
import { createAlertSink, type AlertView } from "../bot/alert-sink.ts";
import { alertmanagerPayload, type AlertmanagerPayload } from "../http/alertmanager-payload.ts";
import type { GroupState } from "../http/alert-group.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import { createCommitQueue } from "../storage/commit-queue.ts";
import { openDatabase } from "../storage/open-database.ts";

const ROUTE = { name: "ops", room: "!bench:localhost", mention: [] };

// CPU ms per notification when perCommit notifications share each transaction, for each size asked, in the order
// asked; every size gets its own group names, so each notification is a real change.
export async function measureStoreBatches(dir: string, plan: (prefix: string) => string[], sizes: readonly number[]): Promise<Array<[number, number]>> {
  const db = openDatabase(join(dir, "store-batches.sqlite"));
  try {
    let flush: (() => void) | undefined;
    const sink = createAlertSink(createAlertStore<GroupState, AlertView>(db), createCommitQueue(db, (f) => (flush = f)), () => undefined);
    const result: Array<[number, number]> = [];
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
    }
    return result;
  } finally {
    db.close();
  }
}
