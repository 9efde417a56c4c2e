// Shuts down or reboots a host over SSH, then watches it go down (and, for a reboot, come back).
import type { HostEntry } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import { probeSsh, runCommand, sleepUnlessAborted, type SshTarget } from "../ssh/index.ts";

// Timing knobs; tests shorten them.
export interface PowerOptions {
  pollIntervalMs?: number;
  downTimeoutMs?: number;
  upTimeoutMs?: number;
}

// Polls until SSH answers (want true) or stops answering (want false); returns seconds taken, or a reason it gave up.
async function waitForSshState(target: SshTarget, want: boolean, timeoutMs: number, interval: number, io: JobIO, started: number): Promise<number | string> {
  const deadline = Date.now() + timeoutMs;
  while (!io.signal.aborted) {
    const probe = await probeSsh(target, 3000, io.signal);
    if (probe === "cancelled") break;
    // A changed key means "not the machine we powered off": stop, never count it as up or down.
    if (!probe.ok && probe.reason === "host-key-mismatch") return probe.message;
    if (probe.ok === want) return Math.round((Date.now() - started) / 1000);
    if (Date.now() > deadline) return want ? `did not answer on ssh within ${Math.round(timeoutMs / 1000)} s` : `still answers on ssh after ${Math.round(timeoutMs / 1000)} s`;
    await sleepUnlessAborted(interval, io.signal);
  }
  return "cancelled";
}

// Runs `systemctl poweroff|reboot --no-block` (through sudo if configured) and reports each step.
export async function powerHost(host: HostEntry, action: "poweroff" | "reboot", io: JobIO, options: PowerOptions = {}): Promise<JobOutcome> {
  const target = host.ssh;
  if (!target) return { ok: false, summary: `${host.name} has no ssh settings` };
  const interval = options.pollIntervalMs ?? 2000;
  const started = Date.now();
  io.phase(`sending systemctl ${action}`);
  // --no-block returns at once; without it the channel may close before an exit status arrives.
  const result = await runCommand(target, ["systemctl", action, "--no-block"], { timeoutMs: 30_000, signal: io.signal, sudo: target.sudo, onLine: (line) => io.log(line) });
  if (result.isCanceled) return { ok: false, cancelled: true, summary: `cancelled before ${host.name} was told to ${action}` };
  if (result.failed && result.reason !== "connection-lost" && result.reason !== "no-exit-status") {
    // The runner's message already names the host, and the exit code and stderr are shown with the job: say each once.
    const summary = result.exitCode !== null ? `systemctl ${action} failed on ${host.name}` : `systemctl ${action} did not run: ${result.message}`;
    return { ok: false, exitCode: result.exitCode, summary };
  }
  io.log(`systemctl ${action} accepted by ${host.name}`);
  io.phase(`waiting for ${host.name} to go down`);
  const down = await waitForSshState(target, false, options.downTimeoutMs ?? 180_000, interval, io, started);
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `stopped watching; ${host.name} was already told to ${action}` };
  if (typeof down === "string") return { ok: false, summary: `${host.name} ${down}` };
  io.log(`${host.name} stopped answering on ssh after ${down} s`);
  if (action === "poweroff") return { ok: true, exitCode: 0, summary: `${host.name} is down after ${down} s` };
  io.phase(`waiting for ${host.name} to come back`);
  const up = await waitForSshState(target, true, options.upTimeoutMs ?? 600_000, interval, io, started);
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `stopped watching; ${host.name} went down for a reboot` };
  if (typeof up === "string") return { ok: false, summary: `${host.name} went down but ${up}` };
  return { ok: true, exitCode: 0, summary: `${host.name} went down after ${down} s and is back up after ${up} s` };
}
