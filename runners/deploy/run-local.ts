// Runs a deploy tool on magi's machine in its own process group, so cancelling or timing out stops
// everything it started (nix builds, ssh, a child that outlives its parent), not just the leader.
import { execa } from "execa";
import { createLineSplitter } from "../ssh/lines.ts";

// Options for runLocal.
export interface LocalRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
  // Wait between SIGTERM and SIGKILL to the group.
  killGraceMs?: number;
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  // Called with the leader's pid as soon as it runs, before any output is read.
  onSpawn?: (pid: number) => void;
}

// How the process ended, shaped like the SSH runner's result.
export interface LocalResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  isCanceled: boolean;
  failed: boolean;
  // Set when the process never ran (not found, bad cwd).
  notStarted?: string;
}

// Signals every process in the group led by pid; a group that is already gone is fine.
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

// Runs argv with a timeout and cancellation; every failure is a result, never thrown.
export async function runLocal(argv: readonly string[], opts: LocalRunOptions): Promise<LocalResult> {
  const [file, ...args] = argv;
  if (!file) return { exitCode: null, signal: null, timedOut: false, isCanceled: false, failed: true, notStarted: "empty command" };
  const stop = new AbortController();
  let why: "timeout" | "canceled" | undefined;
  const timers: NodeJS.Timeout[] = [];
  const emit = (stream: "stdout" | "stderr") => (line: string) => opts.onLine?.(line, stream);
  const out = createLineSplitter(emit("stdout"));
  const err = createLineSplitter(emit("stderr"));
  const subprocess = execa(file, args, {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    // Its own process group: the group id is the leader's pid, which kill(-pid) reaches.
    detached: true,
    cancelSignal: stop.signal,
    forceKillAfterDelay: opts.killGraceMs ?? 5_000,
    reject: false,
    buffer: false,
    stdin: "ignore",
  });
  if (subprocess.pid !== undefined) opts.onSpawn?.(subprocess.pid);
  const stopGroup = (reason: "timeout" | "canceled") => {
    if (why) return;
    why = reason;
    stop.abort();
    const pid = subprocess.pid;
    if (pid === undefined) return;
    signalGroup(pid, "SIGTERM");
    const kill = setTimeout(() => signalGroup(pid, "SIGKILL"), opts.killGraceMs ?? 5_000);
    kill.unref();
    timers.push(kill);
  };
  const onAbort = () => stopGroup("canceled");
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  timers.push(setTimeout(() => stopGroup("timeout"), opts.timeoutMs));
  subprocess.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  subprocess.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
  const result = await subprocess;
  opts.signal?.removeEventListener("abort", onAbort);
  // The leader is gone; its group may not be (a child that ignored TERM). KILL it at once.
  if (why && subprocess.pid !== undefined) signalGroup(subprocess.pid, "SIGKILL");
  for (const t of timers) clearTimeout(t);
  out.flush();
  err.flush();
  const exitCode = typeof result.exitCode === "number" ? result.exitCode : null;
  const base = { exitCode, signal: result.signal ?? null, timedOut: why === "timeout", isCanceled: why === "canceled", failed: result.failed };
  if (exitCode === null && !result.signal && !why) return { ...base, notStarted: result.shortMessage ?? `cannot run ${file}` };
  return base;
}
