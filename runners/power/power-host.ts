// Shuts down or reboots a host over SSH, then watches it go down (and, for a reboot, come back).
import type { PowerAction } from "../../domain/power.ts";
import type { HostEntry } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import { runCommand, SYSTEM_CLOCK, waitForSshState, type SshTarget, type WaitClock } from "../ssh/index.ts";

// Timing knobs; tests shorten them.
export interface PowerOptions {
  pollIntervalMs?: number;
  downTimeoutMs?: number;
  upTimeoutMs?: number;
  clock?: WaitClock;
}

// Waits for the wanted state and words the result for the job: seconds taken, or why it gave up.
async function waitForPower(target: SshTarget, want: "up" | "down", timeoutMs: number, interval: number, io: JobIO, started: number, clock: WaitClock): Promise<number | string> {
  const waited = await waitForSshState(target, want, { deadline: clock.now() + timeoutMs, signal: io.signal, pollIntervalMs: interval, since: started, clock, log: io.log });
  const seconds = Math.round(timeoutMs / 1000);
  switch (waited.state) {
    case "reached":
      return waited.seconds;
    case "cancelled":
      return "cancelled";
    case "refused":
      return waited.message;
    case "timeout":
      return want === "up" ? `did not answer on ssh within ${seconds} s` : `still answers on ssh after ${seconds} s`;
  }
}

// Runs `systemctl poweroff|reboot --no-block` (through sudo if configured) and reports each step.
export async function powerHost(host: HostEntry, action: PowerAction, io: JobIO, options: PowerOptions = {}): Promise<JobOutcome> {
  const target = host.ssh;
  if (!target) return { ok: false, summary: `${host.name} has no ssh settings` };
  const interval = options.pollIntervalMs ?? 2000;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const started = clock.now();
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
  const down = await waitForPower(target, "down", options.downTimeoutMs ?? 180_000, interval, io, started, clock);
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `stopped watching; ${host.name} was already told to ${action}` };
  if (typeof down === "string") return { ok: false, summary: `${host.name} ${down}` };
  io.log(`${host.name} stopped answering on ssh after ${down} s`);
  if (action === "poweroff") return { ok: true, exitCode: 0, summary: `${host.name} is down after ${down} s` };
  io.phase(`waiting for ${host.name} to come back`);
  const up = await waitForPower(target, "up", options.upTimeoutMs ?? 600_000, interval, io, started, clock);
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `stopped watching; ${host.name} went down for a reboot` };
  if (typeof up === "string") return { ok: false, summary: `${host.name} went down but ${up}` };
  return { ok: true, exitCode: 0, summary: `${host.name} went down after ${down} s and is back up after ${up} s` };
}
