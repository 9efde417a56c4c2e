import { readdirSync, readFileSync } from "node:fs";
import type { SshTarget } from "../../../runners/ssh/connect.ts";
import type { TestSshd } from "./sshd.ts";

// Builds a runner target for a test sshd, pinned to its real host key unless overridden.
export function targetOf(sshd: TestSshd, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    name: sshd.name,
    address: sshd.address,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.clientKeyPath,
    hostKey: sshd.hostKeyLine,
    ...overrides,
  };
}

let markers = 0;

// Returns a sleep duration no other process uses, so a command-line search finds exactly ours.
export function createSleepMarker(): string {
  markers += 1;
  return `29.${process.pid}${Date.now() % 100_000}${markers}`;
}

// Lists pids whose command line matches the regex, like `pgrep -f` (procps may be absent).
export async function findProcesses(pattern: string): Promise<string[]> {
  const regex = new RegExp(pattern);
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    } catch {
      continue;
    }
    if (pid !== String(process.pid) && regex.test(cmdline)) found.push(pid);
  }
  return found;
}

// Polls until no process matches; returns the pids still there at the deadline.
export async function waitUntilGone(pattern: string, timeoutMs = 3_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await findProcesses(pattern);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Counts sshd's "Accepted publickey" log lines: one per authenticated connection.
export function countLogins(sshd: TestSshd): number {
  return sshd.log().split("\n").filter((l) => l.startsWith("Accepted publickey")).length;
}
