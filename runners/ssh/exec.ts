import { raceAbort } from "./abortable.ts";
import type { SshTarget } from "./connect.ts";
import { getDefaultPool, type AcquireOutcome, type SshPool } from "./pool.ts";
import { buildRemoteCommand } from "./quote.ts";
import { createNotStartedResult, type CommandResult } from "./result.ts";
import { execOnConnection, type ExecOptions } from "./run-on-connection.ts";

// Options for runCommand; pool defaults to the process-wide one.
export type RunOptions = ExecOptions & { pool?: SshPool };

// Waits for a lease unless aborted first; a lease that arrives after the abort is returned.
function acquireUnlessAborted(pool: SshPool, target: SshTarget, signal?: AbortSignal): Promise<AcquireOutcome | "aborted"> {
  // The connect keeps going for other users of the pool; a late lease just hands our slot back.
  return raceAbort(pool.acquire(target), signal, (a) => a.ok && a.lease.release());
}

// Runs argv on target as one remote command; every failure comes back as a result, never thrown.
export async function runCommand(target: SshTarget, argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
  let command: string;
  try {
    command = buildRemoteCommand(argv, opts.sudo);
  } catch (err) {
    return createNotStartedResult("", "invalid-command", `invalid command for ${target.name}: ${(err as Error).message}`);
  }
  const canceled = () => createNotStartedResult(command, "canceled", `canceled on ${target.name} before it started`, { isCanceled: true });
  if (opts.signal?.aborted) return canceled();
  const acquired = await acquireUnlessAborted(opts.pool ?? getDefaultPool(), target, opts.signal);
  if (acquired === "aborted") return canceled();
  if (!acquired.ok) {
    const { reason, message, hostKeyMismatch } = acquired;
    return createNotStartedResult(command, reason, message, hostKeyMismatch ? { hostKeyMismatch } : {});
  }
  try {
    return await execOnConnection(acquired.lease.connection, argv, opts);
  } finally {
    acquired.lease.release();
  }
}
