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

// Why magi waits for a process it no longer runs itself: the process outlived magi's restart, or the SSH connection it ran on.
export type OrphanCause = "restart" | "connection";

const ORPHAN_WORDS: Record<OrphanCause, { phase: string; outlived: string }> = {
  restart: { phase: "after restart", outlived: "which outlived magi's restart" },
  connection: { phase: "after the connection dropped", outlived: "which magi followed after the connection dropped" },
};

// How the running job's phase reads while magi waits for a process it lost hold of.
export function describeOrphanPhase(process: Pick<TrackedProcess, "pid">, cause: OrphanCause = "restart"): string {
  return `still running ${ORPHAN_WORDS[cause].phase} (pid ${process.pid})`;
}

// Whether a phase is one describeOrphanPhase wrote (the job view shows it instead of "running").
export function isOrphanPhase(phase: string | null): phase is string {
  return phase !== null && Object.values(ORPHAN_WORDS).some((w) => phase.startsWith(`still running ${w.phase} (pid `));
}

// The summary of an adopted job stopped by !cancel; check is the advice that ends it.
export function describeStopped(process: Pick<TrackedProcess, "name" | "pid" | "host">, seconds: number, check: string, cause: OrphanCause = "restart"): string {
  const where = process.host === null ? "" : ` ${describeWhere(process)}`;
  return `${process.name} (pid ${process.pid})${where}, ${ORPHAN_WORDS[cause].outlived}, was stopped after ${seconds} s; ${check}`;
}
