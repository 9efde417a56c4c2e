// The running magi's pid file in its state directory (beside the database), which `magi reload` reads to signal it.
// It records the process's boot id and start time too: a pid left by a crash may since name an unrelated process,
// which must never get the signal.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../config/schema.ts";
import { isSameProcess, readProcessIdentity, type ProcessIdentity } from "../runners/proc/process-identity.ts";

const PID_FILE = "magi.pid";

// Where a config's magi keeps its pid file; undefined for an in-memory database (no state directory).
export function locatePidFile(config: Config): string | undefined {
  return config.storage.path === ":memory:" ? undefined : join(dirname(config.storage.path), PID_FILE);
}

// Writes this process's identity; returns a remover for a clean stop.
export function writePidFile(path: string): () => void {
  const identity = readProcessIdentity(process.pid);
  writeFileSync(path, `${JSON.stringify(identity ?? { pid: process.pid })}\n`, { mode: 0o644 });
  return () => rmSync(path, { force: true });
}

// Sends signal to the magi the pid file names, or says why not.
export function signalRunning(path: string, signal: NodeJS.Signals): { pid: number } | { problem: string } {
  let recorded: Partial<ProcessIdentity>;
  try {
    recorded = JSON.parse(readFileSync(path, "utf8")) as Partial<ProcessIdentity>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === "ENOENT" ? `no magi is running with this config (${path} does not exist)` : `cannot read ${path} (${code ?? (error as Error).message})` };
  }
  const { pid, bootId, startTicks } = recorded;
  if (typeof pid !== "number" || typeof bootId !== "string" || typeof startTicks !== "number") return { problem: `${path} does not name a process` };
  if (!isSameProcess({ pid, bootId, startTicks, pgid: recorded.pgid ?? pid })) return { problem: `the magi in ${path} (pid ${pid}) is no longer running` };
  try {
    process.kill(pid, signal);
  } catch (error) {
    return { problem: `cannot signal pid ${pid} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run magi reload as the user magi runs as` };
  }
  return { pid };
}
