// Rolls a host back, on the host over SSH. Without a generation: `nixos-rebuild switch --rollback`
// (the previous generation). With one: set the system profile to it with nix-env, then activate the
// profile, which is what `nixos-rebuild switch --rollback` itself does for the previous one. The
// NixOS manual's `system-N-link/bin/switch-to-configuration switch` alone would leave the profile
// (the boot default and list-generations' "current") on the newer generation.
import type { HostEntry } from "../inventory.ts";
import type { JobIO } from "../jobs/types.ts";
import { runCommand, type SshPool } from "../ssh/index.ts";
import { explainExit } from "./explain-exit.ts";
import { readCurrentGeneration } from "./read-generation.ts";
import { followRemote, pickFollowed, trackRemote } from "./follow-remote.ts";
import { fromRemoteResult, type Ended } from "./run-deploy.ts";
import type { DeployOutcome } from "./types.ts";

// The NixOS system profile.
export const SYSTEM_PROFILE = "/nix/var/nix/profiles/system";

// Options for rollback; systemProfile exists for tests, whose hosts have no /nix; prefix is the
// command prefix for advice in messages.
export interface RollbackOptions {
  pool?: SshPool;
  prefix?: string;
  timeoutMs?: number;
  systemProfile?: string;
}

// The commands a rollback runs, in order; refuses a generation that is not a plain number.
export function buildRollbackSteps(generation: string | undefined, profile = SYSTEM_PROFILE): { ok: true; steps: string[][] } | { ok: false; problem: string } {
  if (generation === undefined) return { ok: true, steps: [["nixos-rebuild", "switch", "--rollback"]] };
  if (!/^[1-9][0-9]{0,8}$/.test(generation)) return { ok: false, problem: `generation must be a number like 42, got ${JSON.stringify(generation.slice(0, 20))}` };
  return { ok: true, steps: [["nix-env", "--profile", profile, "--switch-generation", generation], [`${profile}/bin/switch-to-configuration`, "switch"]] };
}

// Rolls host back and reports the generation before and after; never throws for expected failures.
export async function rollback(host: HostEntry, generation: string | undefined, io: JobIO, opts: RollbackOptions = {}): Promise<DeployOutcome> {
  const target = host.ssh;
  const to = generation ? `generation ${generation}` : "the previous generation";
  if (!target) return { ok: false, summary: `${host.name} has no ssh settings` };
  const built = buildRollbackSteps(generation, opts.systemProfile);
  if (!built.ok) return { ok: false, summary: built.problem };
  if (io.signal.aborted) return { ok: false, cancelled: true, summary: `cancelled before rolling ${host.name} back` };
  const genOpts = opts.pool ? { pool: opts.pool } : {};
  const before = await readCurrentGeneration(host, genOpts);
  const started = Date.now();
  const tail: string[] = [];
  let ended: Ended = { exitCode: 0, signal: null, cancelled: false, timedOut: false };
  let failedStep: string[] | undefined;
  io.phase("activating");
  for (const step of built.steps) {
    io.log(`on ${host.name}: ${step.join(" ")}`);
    // Only the last step is adopted after a restart or followed after a lost connection: its exit
    // status is the rollback's, while an earlier step's would say nothing about the steps after it.
    const tracker = step === built.steps.at(-1) ? trackRemote(io, step, host.name) : undefined;
    const result = await runCommand(target, step, {
      timeoutMs: opts.timeoutMs ?? 30 * 60_000, signal: io.signal, sudo: target.sudo,
      ...(tracker ? { onStart: tracker.onStart } : {}),
      onLine: (line) => {
        io.log(line);
        if (tail.push(line) > 200) tail.shift();
      },
      ...(opts.pool ? { pool: opts.pool } : {}),
    });
    ended = fromRemoteResult(result);
    const lost = pickFollowed(ended, tracker?.started());
    if (lost) {
      const followed = await followRemote(lost, ended.connectionLost ?? result.message, io, { host, ...(opts.prefix ? { prefix: opts.prefix } : {}), ...genOpts });
      return { ...(before ? { generationBefore: before } : {}), ...followed };
    }
    if (result.failed) {
      failedStep = step;
      break;
    }
  }
  const after = await readCurrentGeneration(host, genOpts);
  const outcome = explainExit({
    ...ended, host: host.name, sha: "", action: "switch", tool: failedStep?.[0]?.split("/").at(-1) ?? "nixos-rebuild",
    phase: "activating", lines: tail, durationMs: Date.now() - started,
    what: `rollback of ${host.name} to ${to}`, done: `rolled ${host.name} back to ${to}`,
    ...(before ? { generationBefore: before } : {}), ...(after ? { generationAfter: after } : {}),
  });
  // nix-env already moved the profile: the next boot uses the chosen generation even though activation failed.
  const profileMoved = failedStep !== undefined && failedStep === built.steps[1] && !ended.timedOut;
  if (profileMoved && !outcome.summary.startsWith("switched, but")) outcome.summary += `; the system profile already points at ${to} (the boot default)`;
  return outcome;
}
