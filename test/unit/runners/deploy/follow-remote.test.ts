// When a command on a host loses its SSH connection, magi follows the process the wrapper named
// (the job goes on, the host stays locked) unless it was cancelled or timed out, or never named.
import { describe, expect, it } from "vitest";
import { explainExit } from "../../../../runners/deploy/explain-exit.ts";
import { describeFollowing, pickFollowed, trackRemote } from "../../../../runners/deploy/follow-remote.ts";
import { describeJobLine } from "../../../../commands/core/job-view.ts";
import { describeOrphanPhase, describeStopped, type TrackedProcess } from "../../../../runners/jobs/tracked-process.ts";
import type { JobIO, JobRecord } from "../../../../runners/jobs/types.ts";

const BOOT = "0b3f6c1e-2a4d-4e5f-8a9b-0c1d2e3f4a5b";
const LOST = "connection to misato lost: read ECONNRESET";
const ended = (over: { connectionLost?: string; cancelled?: boolean; timedOut?: boolean } = {}) => ({ cancelled: false, timedOut: false, connectionLost: LOST, ...over });

// A tracker fed the start line the wrapper would report, and what the job recorded.
function startTracked(statusDir: string | null): { tracked: TrackedProcess | undefined; recorded: TrackedProcess[] } {
  const recorded: TrackedProcess[] = [];
  const io: JobIO = { signal: new AbortController().signal, log: () => {}, phase: () => {}, track: (p) => recorded.push(p) };
  const tracker = trackRemote(io, ["nixos-rebuild", "switch"], "misato");
  tracker.onStart({ bootId: BOOT, pid: 4242, pgid: 4242, startTicks: 987654, statusDir });
  return { tracked: tracker.started(), recorded };
}

describe("following a command whose connection broke", () => {
  it("follows the process the wrapper named, the one the job recorded", () => {
    const { tracked, recorded } = startTracked("/tmp/magi-Ab3dE5gH9k");
    expect(tracked).toEqual({ bootId: BOOT, pid: 4242, pgid: 4242, startTicks: 987654, name: "nixos-rebuild", host: "misato", statusDir: "/tmp/magi-Ab3dE5gH9k" });
    expect(recorded).toEqual([tracked]);
    expect(pickFollowed(ended(), tracked)).toBe(tracked);
  });

  it("follows one without a status directory too (its end then reads as result unknown)", () => {
    const { tracked } = startTracked(null);
    expect(tracked).not.toHaveProperty("statusDir");
    expect(pickFollowed(ended(), tracked)).toBe(tracked);
  });

  it("does not follow when the wrapper never named the process: the job ends with today's message", () => {
    const io: JobIO = { signal: new AbortController().signal, log: () => {}, phase: () => {} };
    const unnamed = trackRemote(io, ["nixos-rebuild", "switch"], "misato").started();
    expect(pickFollowed(ended(), unnamed)).toBeUndefined();
    const outcome = explainExit({ host: "misato", sha: "9f3c2a1b7e6d", action: "switch", tool: "nixos-rebuild", exitCode: null, phase: "building", lines: [], durationMs: 1000, ...ended() });
    expect(outcome).toMatchObject({ ok: false, summary: `lost the connection to misato while building; nixos-rebuild keeps running there, check !status (${LOST})` });
  });

  it("does not follow a command that was cancelled, timed out, or ended with its connection", () => {
    const { tracked } = startTracked("/tmp/magi-Ab3dE5gH9k");
    expect(pickFollowed(ended({ cancelled: true }), tracked)).toBeUndefined();
    expect(pickFollowed(ended({ timedOut: true }), tracked)).toBeUndefined();
    expect(pickFollowed({ cancelled: false, timedOut: false }, tracked)).toBeUndefined();
  });

  it("tells the room what happened and shows the job as still running after the connection dropped", () => {
    const { tracked } = startTracked("/tmp/magi-Ab3dE5gH9k");
    expect(describeFollowing("misato", tracked!)).toBe("lost the connection to misato; nixos-rebuild (pid 4242) keeps running there — magi is following it");
    const job = { id: 7, command: "deploy", host: "misato", state: "running", phase: describeOrphanPhase(tracked!, "connection"), startedAt: 1_000, finishedAt: null } as JobRecord;
    expect(describeJobLine(job, 13_000)).toBe("job 7 · deploy misato · still running after the connection dropped (pid 4242) · 12 s");
    expect(describeStopped(tracked!, 3, "check !generations misato", "connection")).toBe("nixos-rebuild (pid 4242) on misato, which magi followed after the connection dropped, was stopped after 3 s; check !generations misato");
  });
});
