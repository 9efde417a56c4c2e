// Polls a host's SSH until it answers with its pinned key, the deadline passes, or the job is cancelled.
import { probeSsh, sleepUnlessAborted, type SshTarget } from "../ssh/index.ts";

// How probing ended; "refused" means trying again cannot help (host key mismatch, no pin).
export type WaitOutcome =
  | { state: "up" }
  | { state: "timeout"; lastError: string }
  | { state: "cancelled" }
  | { state: "refused"; message: string };

// Knobs for waitForSsh; now is injectable so elapsed times are testable.
export type WaitOptions = {
  deadline: number;
  signal: AbortSignal;
  pollIntervalMs: number;
  now: () => number;
  log: (line: string) => void;
  // Measures "N s" in progress lines from here (the moment the packet went out).
  since: number;
};

// A powered-off machine on a LAN usually takes ~3 s to fail (no ARP reply); don't wait longer per try.
const PROBE_TIMEOUT_MS = 3_000;
// One progress line per this much time, however fast the probes are.
const LOG_EVERY_MS = 5_000;

// Probes every pollIntervalMs until SSH answers with the pinned key or the deadline passes.
export async function waitForSsh(target: SshTarget, opts: WaitOptions): Promise<WaitOutcome> {
  let lastError = "no attempt made";
  let lastLogged = -Infinity;
  let attempts = 0;
  while (opts.now() < opts.deadline) {
    const started = opts.now();
    attempts += 1;
    const probe = await probeSsh(target, Math.min(PROBE_TIMEOUT_MS, opts.deadline - started), opts.signal);
    if (probe === "cancelled") return { state: "cancelled" };
    if (probe.ok) return { state: "up" };
    if (probe.reason === "host-key-mismatch" || probe.reason === "unpinned") return { state: "refused", message: probe.message };
    lastError = probe.message;
    if (opts.now() - lastLogged >= LOG_EVERY_MS) {
      lastLogged = opts.now();
      const elapsed = Math.round((lastLogged - opts.since) / 1000);
      opts.log(`${target.name}: no ssh yet after ${elapsed} s (attempt ${attempts}: ${lastError})`);
    }
    await sleepUnlessAborted(Math.min(started + opts.pollIntervalMs, opts.deadline) - opts.now(), opts.signal);
    if (opts.signal.aborted) return { state: "cancelled" };
  }
  return { state: "timeout", lastError };
}
