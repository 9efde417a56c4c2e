// Asks a host, after magi restarted, about a command the SSH wrapper started there: is that pid,
// with that start time, on that boot, still running, and what exit status did the wrapper leave?
// The argv and the reading of its answer live here; the SSH call is the caller's.
import type { TrackedProcess } from "../jobs/tracked-process.ts";
import { parseProcStat, type ProcStat } from "./parse-proc-stat.ts";

// What the host said.
export interface RemoteCheck {
  bootId: string;
  // The stat line of the recorded pid now (possibly another process that took the pid).
  stat?: ProcStat;
  // What the wrapper wrote to its status file when the command ended with nobody listening.
  exitStatus?: number;
}

// What that means for the recorded process.
export type RemoteVerdict = { kind: "running" } | { kind: "ended"; exitCode: number | null; rebooted: boolean };

// Prints the boot id, the pid's stat line and the status file, one labelled line each; only reads.
const CHECK_SCRIPT = [
  "b=; read -r b </proc/sys/kernel/random/boot_id",
  's=; { read -r s <"/proc/$1/stat"; } 2>/dev/null',
  'st=; [ "$2" = - ] || { read -r st <"$2/status"; } 2>/dev/null',
  "printf 'boot\\t%s\\nstat\\t%s\\nstatus\\t%s\\n' \"$b\" \"$s\" \"$st\"",
].join("\n");

// The command that checks tracked on its host (arguments quoted by the SSH runner, never parsed by a shell).
export function buildCheckArgv(tracked: Pick<TrackedProcess, "pid" | "statusDir">): string[] {
  return ["sh", "-c", CHECK_SCRIPT, "magi-check", String(tracked.pid), tracked.statusDir ?? "-"];
}

// Signals the recorded process group, or the process alone where the wrapper had no setsid.
export function buildSignalArgv(tracked: Pick<TrackedProcess, "pid" | "pgid">, signal: "TERM" | "KILL"): string[] {
  return ["sh", "-c", 'kill -s "$1" -- "-$2" 2>/dev/null || kill -s "$1" "$3"', "magi-signal", signal, String(tracked.pgid), String(tracked.pid)];
}

// Removes the wrapper's status directory once its status has been read (only the files it writes).
export function buildCleanupArgv(statusDir: string): string[] {
  return ["sh", "-c", 'rm -f -- "$1/status" "$1/gone"; rmdir -- "$1"', "magi-cleanup", statusDir];
}

// Reads the check's output; undefined when it is not one (no boot id: not Linux, or not our script).
export function parseCheckOutput(stdout: string): RemoteCheck | undefined {
  const fields = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) fields.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const bootId = fields.get("boot")?.trim();
  if (!bootId) return undefined;
  const stat = parseProcStat(fields.get("stat") ?? "");
  const status = fields.get("status")?.trim() ?? "";
  const exitStatus = /^\d{1,3}$/.test(status) ? Number(status) : undefined;
  return { bootId, ...(stat ? { stat } : {}), ...(exitStatus !== undefined ? { exitStatus } : {}) };
}

// Decides whether the recorded process still runs: same boot, same pid, same start time, not a zombie.
// A status file outlives a reboot where /tmp does, so its exit status is believed even then.
export function decideRemote(tracked: Pick<TrackedProcess, "bootId" | "startTicks">, check: RemoteCheck): RemoteVerdict {
  const rebooted = check.bootId !== tracked.bootId;
  if (!rebooted && check.stat && check.stat.startTicks === tracked.startTicks && check.stat.state !== "Z") return { kind: "running" };
  return { kind: "ended", exitCode: check.exitStatus ?? null, rebooted };
}
