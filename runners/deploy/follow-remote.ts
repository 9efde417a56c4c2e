// A command on a host whose SSH connection broke while magi kept running: the wrapper keeps it
// running there, so ending the job (and freeing the host) would let a second deploy start under a
// switch still in progress. Magi follows it instead, as it does one that outlived a restart.
import { basename } from "node:path";
import type { HostEntry } from "../inventory.ts";
import type { TrackedProcess } from "../jobs/tracked-process.ts";
import type { JobIO } from "../jobs/types.ts";
import type { RemoteStart, SshPool } from "../ssh/index.ts";
import type { ExitFacts } from "./explain-exit.ts";
import type { DeployOutcome } from "./types.ts";
import { watchRemote } from "./watch-remote.ts";

// Records a tool started on host over SSH in the job (the wrapper names it), so a restarted magi asks
// the host about it; started() gives it back to the runner, for a connection that drops under it.
export function trackRemote(io: JobIO, argv: readonly string[], host: string): { onStart: (started: RemoteStart) => void; started: () => TrackedProcess | undefined } {
  let tracked: TrackedProcess | undefined;
  return {
    onStart: ({ statusDir, ...identity }) => {
      tracked = { ...identity, name: basename(argv[0] ?? "command"), host, ...(statusDir ? { statusDir } : {}) };
      io.track?.(tracked);
    },
    started: () => tracked,
  };
}

// Which process to follow after a command ended: only one whose connection broke (not a cancel or a
// timeout, which stopped it) and whose wrapper named it; without a name there is nothing to ask about.
export function pickFollowed(ended: Pick<ExitFacts, "connectionLost" | "cancelled" | "timedOut">, started: TrackedProcess | undefined): TrackedProcess | undefined {
  return ended.connectionLost && !ended.cancelled && !ended.timedOut ? started : undefined;
}

// What the job's log says the moment the connection is lost.
export function describeFollowing(host: string, tracked: Pick<TrackedProcess, "name" | "pid">): string {
  return `lost the connection to ${host}; ${tracked.name} (pid ${tracked.pid}) keeps running there — magi is following it`;
}

// Knobs for followRemote: the host entry, the command prefix for advice ("!" unless configured), the SSH pool, the poll period.
export interface FollowOptions {
  host: HostEntry;
  prefix?: string;
  pool?: SshPool;
  pollMs?: number;
}

// Holds the job (and the host's lock) until the process ends on the host, then adopts its exit status.
export async function followRemote(tracked: TrackedProcess, why: string, io: JobIO, opts: FollowOptions): Promise<DeployOutcome> {
  io.log(`${describeFollowing(opts.host.name, tracked)} (${why})`);
  return watchRemote(tracked, { ...opts, prefix: opts.prefix ?? "!", cause: "connection" })(io);
}
