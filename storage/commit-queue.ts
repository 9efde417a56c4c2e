// Group commit: writes asked for while the event loop handles one round of I/O share one transaction, committed in
// the check phase right after it. A burst of requests then pays for one BEGIN/COMMIT (and writes each touched page to
// the WAL once) instead of one per request, and nobody is answered before their write is committed.
import type Database from "better-sqlite3";

interface Waiting {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

// Runs work inside the next shared transaction; resolves with its result once that transaction is committed.
export interface CommitQueue {
  run<T>(work: () => T): Promise<T>;
}

// A commit queue over db. Each work runs in a savepoint of its own, so one that throws undoes only its own writes
// and fails only its own caller; a commit that fails fails every caller in it (nothing of theirs was stored).
export function createCommitQueue(db: Database.Database, schedule: (flush: () => void) => void = setImmediate): CommitQueue {
  let waiting: Waiting[] = [];

  const flush = () => {
    const batch = waiting;
    waiting = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.transaction(() => {
        for (const { work } of batch) {
          try {
            outcomes.push({ ok: true, value: db.transaction(work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  };

  return {
    run: <T>(work: () => T) =>
      new Promise<T>((resolve, reject) => {
        if (waiting.length === 0) schedule(flush);
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      }),
  };
}
