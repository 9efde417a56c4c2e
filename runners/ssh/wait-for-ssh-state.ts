// Polls a host's SSH until it answers with its pinned key ("up") or stops answering ("down"): one
// loop for waking, powering off and rebooting, with the clock and the probe injectable for tests.
import { sleepUnlessAborted } from "./abortable.ts";
import type { ConnectOutcome } from "./connect.ts";
import { probeSsh } from "./probe-ssh.ts";
import type { SshTarget } from "./target.ts";

// How waiting ended; "refused" means trying again cannot help (host key mismatch, no pin).
export type SshStateOutcome =
  | { state: "reached"; seconds: number }
  | { state: "timeout"; lastError: string }
  | { state: "cancelled" }
  | { state: "refused"; message: string };

// Time as the wait sees it; tests pass a fake that moves only when sleep or a probe is called.
export interface WaitClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

// Knobs for one wait; since is where "after N s" is counted from (the packet, the systemctl call).
export interface WaitForSshStateOptions {
  deadline: number;
  signal: AbortSignal;
  pollIntervalMs: number;
  since: number;
  clock?: WaitClock;
  log?: (line: string) => void;
  probe?: (target: SshTarget, timeoutMs: number, signal: AbortSignal) => Promise<ConnectOutcome | "cancelled">;
}

// The real clock.
export const SYSTEM_CLOCK: WaitClock = { now: () => Date.now(), sleep: sleepUnlessAborted };
// A powered-off machine on a LAN usually takes ~3 s to fail (no ARP reply); don't wait longer per try.
const PROBE_TIMEOUT_MS = 3_000;
// One progress line per this much time, however fast the probes are.
const LOG_EVERY_MS = 5_000;

// Probes every pollIntervalMs (each probe bounded by what is left) until the host is in the wanted state or the deadline passes.
export async function waitForSshState(target: SshTarget, want: "up" | "down", opts: WaitForSshStateOptions): Promise<SshStateOutcome> {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const probe = opts.probe ?? probeSsh;
  let lastError = want === "up" ? "no attempt made" : "it kept answering";
  let lastLogged = -Infinity;
  let attempts = 0;
  while (clock.now() < opts.deadline) {
    const started = clock.now();
    attempts += 1;
    const outcome = await probe(target, Math.min(PROBE_TIMEOUT_MS, opts.deadline - started), opts.signal);
    if (outcome === "cancelled" || opts.signal.aborted) return { state: "cancelled" };
    // A changed key means "not the machine we meant": stop, never count it as up or down.
    if (!outcome.ok && (outcome.reason === "host-key-mismatch" || outcome.reason === "unpinned")) return { state: "refused", message: outcome.message };
    if (outcome.ok === (want === "up")) return { state: "reached", seconds: Math.round((clock.now() - opts.since) / 1000) };
    if (!outcome.ok) lastError = outcome.message;
    if (opts.log && clock.now() - lastLogged >= LOG_EVERY_MS) {
      lastLogged = clock.now();
      const elapsed = Math.round((lastLogged - opts.since) / 1000);
      opts.log(want === "up" ? `no ssh yet after ${elapsed} s (attempt ${attempts}: ${lastError})` : `still answers on ssh after ${elapsed} s`);
    }
    await clock.sleep(Math.min(started + opts.pollIntervalMs, opts.deadline) - clock.now(), opts.signal);
    if (opts.signal.aborted) return { state: "cancelled" };
  }
  return { state: "timeout", lastError };
}
