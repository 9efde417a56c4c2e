// The work of a job whose command on a host (nixos-rebuild-on-host, a rollback) outlived a crash of
// magi or its connection: ask the host over SSH until that process is gone, holding the job (and
// the host's lock) meanwhile, then adopt the exit status the SSH wrapper left behind.
import { setTimeout as sleep } from "node:timers/promises";
import type { HostEntry } from "../inventory.ts";
import { describeOrphanPhase, describeStopped, describeWhere, type OrphanCause, type TrackedProcess } from "../jobs/tracked-process.ts";
import type { JobIO } from "../jobs/types.ts";
import { buildCheckArgv, buildCleanupArgv, buildSignalArgv, decideRemote, parseCheckOutput, type RemoteVerdict } from "../proc/remote-check.ts";
import { runCommand, sleepUnlessAborted, type SshPool } from "../ssh/index.ts";
import { readCurrentGeneration } from "./read-generation.ts";
import type { DeployOutcome } from "./types.ts";

// Knobs for watchRemote; onFirstVerdict hears what the first answer from the host said (to tell the room).
// cause: what made magi lose hold of the process (default: a restart).
export interface RemoteWatchOptions {
  host: HostEntry;
  prefix: string;
  cause?: OrphanCause;
  pollMs?: number;
  killGraceMs?: number;
  pool?: SshPool;
  now?: () => number;
  onFirstVerdict?: (verdict: RemoteVerdict) => void;
}

// A check that could not reach the host or got no answer it understands.
type Checked = { ok: true; verdict: RemoteVerdict } | { ok: false; message: string };

// Short commands: a check must not hang the watch when the host stops answering.
const CHECK_TIMEOUT_MS = 15_000;
// One "cannot reach" log line per this much time.
const LOG_EVERY_MS = 30_000;

// When the process ended, as seen from each cause: at the first look, some seconds after, and what the log misses.
const WHEN: Record<OrphanCause, { unseen: string; since: string; missing: string }> = {
  restart: { unseen: "while magi was down", since: "after magi restarted", missing: "after the restart" },
  connection: { unseen: "before magi reconnected", since: "after the connection dropped", missing: "after the connection dropped" },
};

// One look at the host; a command that dies with the connection, so a check never lingers there.
async function checkOnce(tracked: TrackedProcess, opts: RemoteWatchOptions): Promise<Checked> {
  const target = opts.host.ssh;
  if (!target) return { ok: false, message: `${opts.host.name} has no ssh settings` };
  const result = await runCommand(target, buildCheckArgv(tracked), { timeoutMs: CHECK_TIMEOUT_MS, sudo: target.sudo, onDisconnect: "kill", ...(opts.pool ? { pool: opts.pool } : {}) });
  const check = result.failed ? undefined : parseCheckOutput(result.stdout);
  if (!check) return { ok: false, message: result.failed ? result.message : `unexpected answer from ${opts.host.name}` };
  return { ok: true, verdict: decideRemote(tracked, check) };
}

// Runs a best-effort command on the host (a signal, the cleanup); its failure changes nothing.
async function runQuietly(argv: string[], opts: RemoteWatchOptions): Promise<void> {
  const target = opts.host.ssh;
  if (target) await runCommand(target, argv, { timeoutMs: CHECK_TIMEOUT_MS, sudo: target.sudo, onDisconnect: "kill", ...(opts.pool ? { pool: opts.pool } : {}) });
}

// How the job ends once the process is gone; when is "while magi was down" or "N s after magi restarted".
async function describeEnd(tracked: TrackedProcess, verdict: Extract<RemoteVerdict, { kind: "ended" }>, when: string, opts: RemoteWatchOptions): Promise<DeployOutcome> {
  const host = opts.host.name;
  const who = `${tracked.name} (pid ${tracked.pid}) ended ${describeWhere(tracked)} ${when}`;
  const check = `check ${opts.prefix}generations ${host}`;
  if (verdict.exitCode === null) {
    const rebooted = verdict.rebooted ? ` (${host} has rebooted since)` : "";
    return { ok: false, interrupted: true, summary: `${who}${rebooted}; its result is unknown — ${check}` };
  }
  const generation = await readCurrentGeneration(opts.host, opts.pool ? { pool: opts.pool } : {});
  const runs = generation ? `; ${host} runs ${generation}` : "";
  const after = generation ? { generationAfter: generation } : {};
  // The exit code goes with the job (its view and notice show it), not into the summary.
  if (verdict.exitCode === 0) return { ok: true, exitCode: 0, summary: `${who}${runs}`, ...after };
  return { ok: false, exitCode: verdict.exitCode, summary: `${who}${runs}; its output ${WHEN[opts.cause ?? "restart"].missing} is not in this log — ${check}`, ...after };
}

// Waits for the recorded remote process to end; cancelling the job stops its group on the host (TERM, then KILL).
export function watchRemote(tracked: TrackedProcess, opts: RemoteWatchOptions): (io: JobIO) => Promise<DeployOutcome> {
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 2_000;
  const cause = opts.cause ?? "restart";
  return async (io): Promise<DeployOutcome> => {
    const since = now();
    io.phase(describeOrphanPhase(tracked, cause));
    let first = true;
    let lastLogged = -Infinity;
    let stopping: { signal: "TERM" | "KILL"; at: number } | undefined;
    for (;;) {
      let checked = await checkOnce(tracked, opts);
      // The command may have ended a moment ago, its wrapper not yet done writing the status file.
      if (checked.ok && checked.verdict.kind === "ended" && checked.verdict.exitCode === null && !checked.verdict.rebooted && tracked.statusDir) {
        await sleep(1_000);
        checked = await checkOnce(tracked, opts);
      }
      const seconds = Math.round((now() - since) / 1000);
      if (!checked.ok) {
        if (io.signal.aborted) return { ok: false, cancelled: true, summary: `stopped waiting for ${tracked.name} (pid ${tracked.pid}) after ${seconds} s without reaching ${opts.host.name} (${checked.message}); it may still run there` };
        if (now() - lastLogged >= LOG_EVERY_MS) {
          lastLogged = now();
          io.log(`cannot ask ${opts.host.name} about ${tracked.name} (pid ${tracked.pid}): ${checked.message}; trying again`);
        }
      } else {
        const { verdict } = checked;
        const atFirstLook = first;
        if (first) {
          first = false;
          opts.onFirstVerdict?.(verdict);
          if (verdict.kind === "running" && cause === "restart") io.log(`magi restarted while this job ran; ${tracked.name} (pid ${tracked.pid}) is still running ${describeWhere(tracked)}; waiting for it to end`);
        }
        if (verdict.kind === "ended") {
          if (tracked.statusDir) await runQuietly(buildCleanupArgv(tracked.statusDir), opts);
          if (stopping) return { ok: false, cancelled: true, summary: describeStopped(tracked, seconds, `check ${opts.prefix}generations ${opts.host.name}`, cause) };
          const unseen = lastLogged === -Infinity ? WHEN[cause].unseen : `while magi could not reach ${opts.host.name}`;
          const when = atFirstLook ? unseen : `${seconds} s ${WHEN[cause].since}`;
          io.log(`${tracked.name} (pid ${tracked.pid}) ended ${describeWhere(tracked)} ${when}; exit status ${verdict.exitCode ?? "unknown"}`);
          return describeEnd(tracked, verdict, when, opts);
        }
        if (io.signal.aborted && (!stopping || (stopping.signal === "TERM" && now() - stopping.at >= (opts.killGraceMs ?? 5_000)))) {
          stopping = { signal: stopping ? "KILL" : "TERM", at: now() };
          await runQuietly(buildSignalArgv(tracked, stopping.signal), opts);
        }
      }
      // A cancel wakes the wait at once; after it, the host is asked twice a second until the group is gone.
      if (io.signal.aborted) await sleep(Math.min(pollMs, 500));
      else await sleepUnlessAborted(pollMs, io.signal);
    }
  };
}
