// Names a process so that a later look (after magi restarted) can tell whether it is still the same
// one: boot id + pid + start time, since a pid alone is reused after a reboot or a wrap-around.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseProcStat, type ProcStat } from "./parse-proc-stat.ts";

// A process as recorded in its job row.
export interface ProcessIdentity {
  bootId: string;
  pid: number;
  pgid: number;
  startTicks: number;
}

// Where /proc is; tests point it at a directory of their own.
export interface ProcOptions {
  procRoot?: string;
}

const rootOf = (opts: ProcOptions) => opts.procRoot ?? "/proc";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

// Reads one process's stat; undefined when it is gone or unreadable.
export function readProcStat(pid: number, opts: ProcOptions = {}): ProcStat | undefined {
  const text = readText(join(rootOf(opts), String(pid), "stat"));
  return text === undefined ? undefined : parseProcStat(text);
}

// The id of the running boot; it changes with every reboot.
export function readBootId(opts: ProcOptions = {}): string | undefined {
  return readText(join(rootOf(opts), "sys", "kernel", "random", "boot_id"))?.trim() || undefined;
}

// Reads pid's identity now; undefined when the process is gone or /proc cannot say.
export function readProcessIdentity(pid: number, opts: ProcOptions = {}): ProcessIdentity | undefined {
  const bootId = readBootId(opts);
  const stat = readProcStat(pid, opts);
  if (!bootId || !stat) return undefined;
  return { bootId, pid: stat.pid, pgid: stat.pgrp, startTicks: stat.startTicks };
}

// Whether the recorded process itself still runs (same boot, same pid, same start time; a zombie is gone).
export function isSameProcess(recorded: ProcessIdentity, opts: ProcOptions = {}): boolean {
  if (readBootId(opts) !== recorded.bootId) return false;
  const stat = readProcStat(recorded.pid, opts);
  return stat !== undefined && stat.startTicks === recorded.startTicks && stat.state !== "Z";
}

// The live processes of the recorded process's group, leader first; empty once the group is gone.
// Linux does not hand out a pid while a group still uses it as its id, so a different process
// holding the leader's pid means the old group ended; otherwise group members started after the
// leader are its children (a build, an ssh, switch-to-configuration).
export function listGroupMembers(recorded: ProcessIdentity, opts: ProcOptions = {}): ProcStat[] {
  if (readBootId(opts) !== recorded.bootId) return [];
  const leader = readProcStat(recorded.pid, opts);
  if (leader && leader.startTicks !== recorded.startTicks) return [];
  let names: string[];
  try {
    names = readdirSync(rootOf(opts));
  } catch {
    return [];
  }
  const members = names
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcStat(Number(name), opts))
    .filter((s): s is ProcStat => s !== undefined && s.pgrp === recorded.pgid && s.state !== "Z" && s.startTicks >= recorded.startTicks);
  return members.sort((a, b) => (a.pid === recorded.pid ? -1 : b.pid === recorded.pid ? 1 : a.startTicks - b.startTicks));
}
