// What a job records about the process doing its work, so that after magi dies and restarts it can
// find that process again instead of calling a job "interrupted" while its deploy still runs.
import type { ProcessIdentity } from "../proc/process-identity.ts";

// A job's process: who it is, what tool it runs, and where (null: magi's own machine).
export interface TrackedProcess extends ProcessIdentity {
  name: string;
  host: string | null;
  // On a host: the private directory where the SSH wrapper leaves the exit status if magi is gone by then.
  statusDir?: string;
}

// Where the process runs, as notices say it ("on magi's machine", "on misato").
export function describeWhere(process: Pick<TrackedProcess, "host">): string {
  return process.host === null ? "on magi's machine" : `on ${process.host}`;
}

// How the running job's phase reads while magi waits for a process a previous run left behind.
export function describeOrphanPhase(process: Pick<TrackedProcess, "pid">): string {
  return `still running after restart (pid ${process.pid})`;
}

// Whether a phase is the one describeOrphanPhase wrote (the job view shows it instead of "running").
export function isOrphanPhase(phase: string | null): phase is string {
  return phase !== null && phase.startsWith("still running after restart (pid ");
}

// The summary of an adopted job stopped by !cancel; check is the advice that ends it.
export function describeStopped(process: Pick<TrackedProcess, "name" | "pid" | "host">, seconds: number, check: string): string {
  const where = process.host === null ? "" : ` ${describeWhere(process)}`;
  return `${process.name} (pid ${process.pid})${where}, which outlived magi's restart, was stopped after ${seconds} s; ${check}`;
}
