// The work of a job whose deploy process outlived a crash of magi: hold the job (and its host's lock)
// until that process group is gone. Its exit status went to the magi that died, so the outcome is
// honest about not knowing it.
import { setTimeout as sleep } from "node:timers/promises";
import type { JobOutcome, JobWork } from "../jobs/types.ts";
import { describeOrphanPhase, describeStopped, type TrackedProcess } from "../jobs/tracked-process.ts";
import { listGroupMembers, type ProcOptions } from "../proc/process-identity.ts";
import { signalGroup } from "./run-local.ts";

// Knobs for watchOrphan; prefix is the command prefix the summary's advice uses.
export interface OrphanWatchOptions extends ProcOptions {
  host: string;
  prefix: string;
  pollMs?: number;
  killGraceMs?: number;
  now?: () => number;
}

// Signals the group only while it is still the recorded one, never a group that took its number since.
function signalIfOurs(tracked: TrackedProcess, signal: NodeJS.Signals, opts: ProcOptions): void {
  if (listGroupMembers(tracked, opts).length > 0) signalGroup(tracked.pgid, signal);
}

// Waits for the recorded process group to end; cancelling the job stops the group (TERM, then KILL).
export function watchOrphan(tracked: TrackedProcess, opts: OrphanWatchOptions): JobWork {
  const now = opts.now ?? Date.now;
  return async (io): Promise<JobOutcome> => {
    const since = now();
    io.phase(describeOrphanPhase(tracked));
    io.log(`magi restarted while this job ran; ${tracked.name} (pid ${tracked.pid}) is still running on magi's machine; waiting for it to end`);
    let kill: NodeJS.Timeout | undefined;
    const onAbort = () => {
      signalIfOurs(tracked, "SIGTERM", opts);
      kill = setTimeout(() => signalIfOurs(tracked, "SIGKILL", opts), opts.killGraceMs ?? 5_000);
    };
    io.signal.addEventListener("abort", onAbort, { once: true });
    while (listGroupMembers(tracked, opts).length > 0) await sleep(opts.pollMs ?? 1_000);
    io.signal.removeEventListener("abort", onAbort);
    clearTimeout(kill);
    const seconds = Math.round((now() - since) / 1000);
    const check = `check ${opts.prefix}generations ${opts.host}`;
    io.log(`${tracked.name} (pid ${tracked.pid}) ended ${seconds} s after magi restarted`);
    if (io.signal.aborted) return { ok: false, cancelled: true, summary: describeStopped(tracked, seconds, check) };
    return { ok: false, interrupted: true, summary: `the deploy process outlived magi's restart and ended after ${seconds} s; its result is unknown — ${check}` };
  };
}
