// CPU accounting for the fan-out benchmark: where a fleet status spends its time on this machine.
import { readFileSync } from "node:fs";
import { findProcesses } from "../test/e2e/harness/ssh-helpers.ts";
import { listProcessTree } from "../test/e2e/harness/procs.ts";

// /proc counts CPU in ticks of 10 ms (USER_HZ 100 on Linux).
const MS_PER_TICK = 10;

// A process's stat fields after the command name, which may itself contain spaces.
function readStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

// CPU time (user + system) a process has used so far, in ms.
export function readCpuMs(pid: number): number {
  const f = readStatFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) * MS_PER_TICK : 0;
}

// CPU of a process tree, reaped children included: an sshd's finished sessions count here.
export function readTreeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of listProcessTree(root)) {
    const f = readStatFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks * MS_PER_TICK;
}

// Busy CPU of the whole machine so far, summed over cores, in ms.
export function readMachineCpuMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * MS_PER_TICK;
}

// The Synapse process serving dataDir; undefined if it cannot be found.
export async function findSynapsePid(dataDir: string): Promise<number | undefined> {
  const pids = await findProcesses(`synapse\\.app\\.homeserver.*${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
  return pids.length > 0 ? Number(pids[0]) : undefined;
}

// The 1-minute load average: this machine may be shared, and a busy neighbour skews every figure.
export function readLoadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ")[0]!;
}

// The 1, 5 and 15-minute load averages, as /proc/loadavg shows them, for the record next to the figures.
export function readLoadAverages(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

// Peak resident set of a process, from the kernel's high-water mark.
export function readPeakRss(pid: number): string {
  return readStatusMiB(pid, "VmHWM");
}

// A process's resident set now (VmRSS), as "123.4 MiB".
export function readRss(pid: number): string {
  return readStatusMiB(pid, "VmRSS");
}

function readStatusMiB(pid: number, field: string): string {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return line ? `${(Number(line.split(/\s+/)[1]) / 1024).toFixed(1)} MiB` : "unknown";
}

// CPU used so far by each party of the benchmark, in ms.
export interface CpuSnapshot {
  machine: number;
  magi: number;
  hosts: number;
  synapse: number;
  bench: number;
}

// Reads every party's CPU at once; hosts are sshd listener pids, each counted with its sessions.
export function takeCpuSnapshot(pids: { magi: number; synapse: number | undefined; hosts: readonly number[] }): CpuSnapshot {
  const own = process.cpuUsage();
  return {
    machine: readMachineCpuMs(),
    magi: readCpuMs(pids.magi),
    hosts: pids.hosts.reduce((sum, pid) => sum + readTreeCpuMs(pid), 0),
    synapse: pids.synapse ? readCpuMs(pids.synapse) : 0,
    bench: Math.round((own.user + own.system) / 1000),
  };
}

// What each party used between two snapshots; "other" is the rest of the machine (kernel, other processes).
export function diffCpu(before: CpuSnapshot, after: CpuSnapshot): Record<keyof CpuSnapshot | "other", number> {
  const d = (k: keyof CpuSnapshot) => after[k] - before[k];
  const other = d("machine") - d("magi") - d("hosts") - d("synapse") - d("bench");
  return { machine: d("machine"), magi: d("magi"), hosts: d("hosts"), synapse: d("synapse"), bench: d("bench"), other };
}
