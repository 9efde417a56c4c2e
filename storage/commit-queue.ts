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
  // Made once: better-sqlite3 builds a wrapper per db.transaction() call, and these run for every request.
  const inSavepoint = db.transaction((work: () => unknown) => work());
  const runBatch = db.transaction((batch: Waiting[]) =>
    batch.map(({ work }) => {
      try {
        return { ok: true as const, value: inSavepoint(work) };
      } catch (error) {
        return { ok: false as const, error };
      }
    }));

  const flush = () => {
    const batch = waiting;
    waiting = [];
    let outcomes: ReturnType<typeof runBatch>;
    try {
      outcomes = runBatch.immediate(batch);
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
