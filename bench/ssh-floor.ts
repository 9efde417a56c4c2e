// The fan-out benchmark's floor: magi's own probe script run by plain OpenSSH on the same hosts,
// over ControlMaster connections opened beforehand (warm) or over fresh connections (cold).
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildProbeArgv, chooseWatchdogSeconds, PROBE_MARK } from "../runners/status/probe-script.ts";
import { PROBE_NAMES } from "../runners/status/probes.ts";
import { buildRemoteCommand } from "../runners/ssh/quote.ts";
import { STATUS_TIMEOUT_SECONDS } from "./fanout-fleet.ts";
import type { TestSshd } from "../test/e2e/harness/sshd.ts";

// The same watchdog magi gives the script at the benchmark's status.timeout_seconds.
const REMOTE_COMMAND = buildRemoteCommand(buildProbeArgv(chooseWatchdogSeconds(STATUS_TIMEOUT_SECONDS * 1000)));
const MASTER_READY_MS = 10_000;

// OpenSSH with the benchmark's sockets and keys; dir holds the ControlMaster sockets and known_hosts.
export interface SshFloor {
  dir: string;
  hosts: TestSshd[];
  masters: ChildProcess[];
}

// Options every ssh call shares: only this host's pinned key, no config or agent from the machine.
function baseArgs(floor: SshFloor, host: TestSshd): string[] {
  return ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${join(floor.dir, "known_hosts")}`,
    "-o", "IdentitiesOnly=yes", "-i", host.clientKeyPath, "-p", String(host.port), "-l", host.user];
}

function socketOf(floor: SshFloor, host: TestSshd): string {
  return join(floor.dir, `cm-${host.name}`);
}

// Resolves when `ssh -O check` finds the host's master listening.
async function waitForMaster(floor: SshFloor, host: TestSshd): Promise<void> {
  const deadline = Date.now() + MASTER_READY_MS;
  for (;;) {
    const code = await new Promise<number | null>((resolve) => {
      const check = spawn("ssh", [...baseArgs(floor, host), "-S", socketOf(floor, host), "-O", "check", host.address], { stdio: "ignore" });
      check.once("exit", resolve);
    });
    if (code === 0) return;
    if (Date.now() > deadline) throw new Error(`ssh ControlMaster to ${host.name} did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Opens one ControlMaster connection per host, as magi's pool keeps one connection per host.
export async function openMasters(dir: string, hosts: TestSshd[]): Promise<SshFloor> {
  const floor: SshFloor = { dir, hosts, masters: [] };
  writeFileSync(join(dir, "known_hosts"), hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKeyLine}\n`).join(""));
  for (const host of hosts) {
    floor.masters.push(spawn("ssh", [...baseArgs(floor, host), "-M", "-S", socketOf(floor, host), "-N", host.address], { stdio: "ignore" }));
  }
  await Promise.all(hosts.map((h) => waitForMaster(floor, h)));
  return floor;
}

// Closes every master connection.
export async function closeMasters(floor: SshFloor): Promise<void> {
  await Promise.allSettled(floor.masters.map((m) => {
    if (m.exitCode !== null || m.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      m.once("exit", () => resolve());
      m.kill("SIGTERM");
    });
  }));
}

// Runs the probe script on one host; resolves when every probe's closing marker has arrived. Stdin
// stays open until then, since the script reads end of input as "magi gone" and stops its probes.
function probeHost(floor: SshFloor, host: TestSshd, warm: boolean): { answered: Promise<void>; exited: Promise<void> } {
  const mux = warm ? ["-S", socketOf(floor, host), "-o", "ControlMaster=no"] : ["-o", "ControlMaster=no", "-o", "ControlPath=none"];
  const child = spawn("ssh", [...baseArgs(floor, host), ...mux, host.address, REMOTE_COMMAND], { stdio: ["pipe", "pipe", "pipe"] });
  const closing = new RegExp(`^${PROBE_MARK} \\S+ exit `, "gm");
  let out = "";
  let err = "";
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const answered = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if ((out.match(closing) ?? []).length >= PROBE_NAMES.length) {
        child.stdin!.end();
        resolve();
      }
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.once("close", (code) => reject(new Error(`ssh to ${host.name} ended (exit ${code}) before every probe answered:\n${err}${out.slice(-500)}`)));
  });
  return { answered, exited };
}

// Wall time for the probe script on the first `count` hosts at once, from the first spawn to the last host's last section.
export async function timeFloor(floor: SshFloor, count: number, warm: boolean): Promise<number> {
  const started = performance.now();
  const runs = floor.hosts.slice(0, count).map((h) => probeHost(floor, h, warm));
  await Promise.all(runs.map((r) => r.answered));
  const ms = Math.round(performance.now() - started);
  // The sessions' teardown is not timed, but must not spill into the next measurement.
  await Promise.all(runs.map((r) => r.exited));
  return ms;
}
