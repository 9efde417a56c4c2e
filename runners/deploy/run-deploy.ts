// Runs one deploy as a job's work: checks out the commit, runs the method's tool locally or on the
// host, streams its output, follows its phases, and reports the generation before and after.
import { basename } from "node:path";
import type { JobIO } from "../jobs/types.ts";
import { readProcessIdentity } from "../proc/process-identity.ts";
import { runCommand, type CommandResult, type SshPool } from "../ssh/index.ts";
import { explainExit, type ExitFacts } from "./explain-exit.ts";
import { followRemote, pickFollowed, trackRemote } from "./follow-remote.ts";
import { createPhaseTracker } from "./parse-phase.ts";
import { prepareInvocation, type Invocation } from "./prepare-invocation.ts";
import { readCurrentGeneration } from "./read-generation.ts";
import { runLocal } from "./run-local.ts";
import type { DeployOutcome, DeployPlan } from "./types.ts";

// Knobs for runDeploy; env reaches local tools (tests put fakes first on PATH); prefix is the command
// prefix for advice in messages.
export interface DeployRunOptions {
  env?: Record<string, string>;
  prefix?: string;
  killGraceMs?: number;
  pool?: SshPool;
  worktreeParent?: string;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 60 * 60_000;
const TAIL_LINES = 200;

// How a command ended, in the terms explainExit takes.
export type Ended = Pick<ExitFacts, "exitCode" | "signal" | "cancelled" | "timedOut" | "notStarted" | "connectionLost">;

// Maps the SSH runner's result: a broken connection is not a failed deploy (the switch goes on).
export function fromRemoteResult(result: CommandResult): Ended {
  const base = { exitCode: result.exitCode, signal: result.signal, cancelled: result.isCanceled, timedOut: result.timedOut };
  if (result.reason === "connection-lost" || result.reason === "no-exit-status") return { ...base, connectionLost: result.message };
  if (result.exitCode === null && !result.isCanceled && !result.timedOut && result.reason !== "signal") return { ...base, notStarted: result.message };
  return base;
}

// Records the local tool's process in the job, so a magi that died and restarted finds it again.
function trackLocal(pid: number, argv: readonly string[], io: JobIO): void {
  const identity = readProcessIdentity(pid);
  if (identity) io.track?.({ ...identity, name: basename(argv[0] ?? "deploy"), host: null });
}

// Runs the invocation, sending each line to onLine; a command on the host whose connection broke is
// followed there until it ends, and its outcome is the deploy's.
async function execute(invocation: Invocation, plan: DeployPlan, io: JobIO, opts: DeployRunOptions, onLine: (line: string) => void): Promise<Ended | { followed: DeployOutcome }> {
  const timeoutMs = plan.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (invocation.where === "host") {
    const tracker = trackRemote(io, invocation.argv, invocation.target.name);
    const pool = opts.pool ? { pool: opts.pool } : {};
    const result = await runCommand(invocation.target, invocation.argv, { timeoutMs, signal: io.signal, sudo: invocation.sudo, onLine, onStart: tracker.onStart, ...pool });
    const ended = fromRemoteResult(result);
    const lost = pickFollowed(ended, tracker.started());
    if (!lost) return ended;
    return { followed: await followRemote(lost, ended.connectionLost ?? result.message, io, { host: plan.host, ...(opts.prefix ? { prefix: opts.prefix } : {}), ...pool }) };
  }
  const result = await runLocal(invocation.argv, {
    timeoutMs,
    signal: io.signal,
    env: invocation.env,
    onLine,
    onSpawn: (pid) => trackLocal(pid, invocation.argv, io),
    ...(invocation.cwd ? { cwd: invocation.cwd } : {}),
    ...(opts.killGraceMs !== undefined ? { killGraceMs: opts.killGraceMs } : {}),
  });
  return { exitCode: result.exitCode, signal: result.signal, cancelled: result.isCanceled, timedOut: result.timedOut, ...(result.notStarted ? { notStarted: result.notStarted } : {}) };
}

// Deploys plan.sha to plan.host; never throws for expected failures and honours io.signal.
export async function runDeploy(plan: DeployPlan, io: JobIO, opts: DeployRunOptions = {}): Promise<DeployOutcome> {
  const now = opts.now ?? Date.now;
  const started = now();
  const name = plan.host.name;
  const sha7 = plan.sha.slice(0, 7);
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `cancelled before deploying ${sha7} to ${name}` };
  const genOpts = opts.pool ? { pool: opts.pool } : {};
  const generationBefore = await readCurrentGeneration(plan.host, genOpts);
  io.log(`${name} runs ${generationBefore ?? "an unknown generation"} before the deploy`);
  // The on-host method has nothing to check out: the host fetches the pinned URL itself.
  if (plan.method !== "nixos-rebuild-on-host") io.phase("checkout");
  const prepared = await prepareInvocation(plan, { ...(opts.env ? { env: opts.env } : {}), ...(opts.worktreeParent ? { worktreeParent: opts.worktreeParent } : {}), signal: io.signal });
  const before = generationBefore ? { generationBefore } : {};
  if (!prepared.ok) {
    if (io.signal.aborted) return { ...before, ok: false, cancelled: true, summary: `cancelled before deploying ${sha7} to ${name}` };
    return { ...before, ok: false, summary: `cannot deploy ${sha7} to ${name}: ${prepared.problem}` };
  }
  try {
    const { invocation } = prepared;
    // Stored before the tool starts: a restart before this point knows the deploy did nothing to the host.
    io.launch?.();
    io.log(`${invocation.where === "host" ? `on ${name}` : "on magi"}: ${invocation.argv.join(" ")}`);
    io.phase("evaluating");
    const tracker = createPhaseTracker("evaluating", (phase) => io.phase(phase));
    const tail: string[] = [];
    const ended = await execute(invocation, plan, io, opts, (line) => {
      io.log(line);
      tracker.push(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    });
    if ("followed" in ended) return { ...before, ...ended.followed };
    const generationAfter = await readCurrentGeneration(plan.host, genOpts);
    io.log(`${name} runs ${generationAfter ?? "an unknown generation"} after the deploy`);
    const tool = invocation.argv[0] ?? plan.method;
    return explainExit({
      ...ended, host: name, sha: plan.sha, action: plan.action, tool, phase: tracker.current(), lines: tail,
      durationMs: now() - started, ...before, ...(generationAfter ? { generationAfter } : {}),
    });
  } finally {
    await prepared.cleanup();
  }
}
