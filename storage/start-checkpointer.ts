// Checkpoints the long-running process's WAL on a thread of its own. SQLite's automatic checkpoint runs inside the
// commit that crosses the WAL's size limit, and a checkpoint syncs the WAL and the database file: tens of ms during
// which magi's only thread answers nobody. A PASSIVE checkpoint from another connection runs beside the writer, so
// the commits (which never sync at synchronous = NORMAL) stay short.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

// How often the thread looks whether the WAL was written since its last checkpoint.
export const CHECKPOINT_INTERVAL_MS = 1000;
// SQLite's own default: what the main connection goes back to if the thread stops working.
const AUTO_CHECKPOINT_PAGES = 1000;

// Plain JavaScript, evaluated as the worker's script: the bundle magi runs from has no file of its own for it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
let checkpointedAt = -1;
const timer = setInterval(() => {
  let mtime;
  try { mtime = statSync(workerData.path + "-wal").mtimeMs; } catch { return; }
  if (mtime === checkpointedAt) return;
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    checkpointedAt = mtime;
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on("message", () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

// Where the checkpointer reports trouble.
export interface CheckpointLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

// What one checkpoint did, as SQLite reports it: frames in the WAL and frames copied into the database.
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

// The running checkpointer.
export interface Checkpointer {
  stop(): Promise<void>;
}

// Takes checkpointing off db's connection and onto a thread with its own connection to path; if the thread fails,
// db checkpoints itself again as before. onCheckpoint sees each result (tests).
export function startCheckpointer(db: Database.Database, path: string, log: CheckpointLog, intervalMs = CHECKPOINT_INTERVAL_MS, onCheckpoint?: (result: CheckpointResult) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs } });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const fallBack = (reason: string) => {
    if (stopping || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    log.warn({ reason }, "the WAL checkpoint thread stopped; the database checkpoints in its own commits again");
  };
  db.pragma("wal_autocheckpoint = 0");
  worker.on("message", (message: { ok: true; result: CheckpointResult } | { ok: false; error: string }) => {
    if (message.ok) onCheckpoint?.(message.result);
    else log.warn({ reason: message.error }, "a WAL checkpoint failed; the next one will try again");
  });
  worker.on("error", (error) => fallBack(error.message));
  worker.on("exit", (code) => fallBack(`exited with code ${code}`));
  // Not keeping magi alive: the process ends when its work does, and closing the database checkpoints what is left.
  worker.unref();
  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      // Held while it stops: an unref'd worker's exit would not keep the process alive to hear of it.
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
