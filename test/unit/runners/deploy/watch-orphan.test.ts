// A job adopted after a restart, over real process groups, the real queue and an in-memory SQLite store:
// it holds its host until the group ends, ends interrupted (or cancelled, stopping the group), and
// never waits on a pid that now belongs to another process.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { watchOrphan } from "../../../../runners/deploy/watch-orphan.ts";
import { createJobQueue } from "../../../../runners/jobs/job-queue.ts";
import type { TrackedProcess } from "../../../../runners/jobs/tracked-process.ts";
import { listGroupMembers, readProcessIdentity } from "../../../../runners/proc/process-identity.ts";
import { createJobProcessStore } from "../../../../storage/job-process-store.ts";
import { createJobStore } from "../../../../storage/job-store.ts";
import { openDatabase } from "../../../../storage/open-database.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Running, not a zombie waiting to be reaped.
const isRunning = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

// A detached group like a deploy tool's: a shell leader waiting on a child; returns both pids.
async function startGroup(): Promise<{ leader: number; child: number }> {
  const sh = spawn("sh", ["-c", "sleep 30 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  sh.unref();
  const child = Number(await new Promise<string>((resolve) => sh.stdout!.once("data", (b: Buffer) => resolve(b.toString()))));
  sh.stdout!.destroy();
  return { leader: sh.pid!, child };
}

function setup() {
  const db = openDatabase(":memory:");
  const store = createJobStore(db);
  const processes = createJobProcessStore(db);
  const queue = createJobQueue({ store, concurrency: 4, listener: () => {} });
  // A job a previous magi left running, with its process recorded.
  const leftRunning = (tracked: TrackedProcess) => {
    const job = store.insert({ command: "deploy", host: "misato", requester: "@dan:x", roomId: "!r", mutating: true, createdAt: 1 });
    store.update(job.id, { state: "running", startedAt: 2 });
    processes.record(job.id, tracked);
    return store.get(job.id)!;
  };
  return { store, processes, queue, leftRunning };
}

describe("watchOrphan", () => {
  it("keeps the host locked until the old process group ends, then ends the job interrupted", async () => {
    const { leader, child } = await startGroup();
    const tracked: TrackedProcess = { ...readProcessIdentity(leader)!, name: "nixos-rebuild", host: null };
    const { store, processes, queue, leftRunning } = setup();
    const job = leftRunning(tracked);
    expect(processes.listRunning()).toEqual([{ jobId: job.id, process: tracked }]);
    queue.adopt(job, watchOrphan(tracked, { host: "misato", prefix: "!", pollMs: 50 }));
    await sleep(20);
    expect(store.get(job.id)).toMatchObject({ state: "running", phase: `still running after restart (pid ${leader})` });
    const next = queue.submit({ command: "deploy", host: "misato", requester: "@ann:x", roomId: "!r", mutating: true, timeoutMs: 60_000, work: async () => ({ ok: true, summary: "next" }) });
    expect(next.waitingBehind).toBe(job.id);
    await sleep(200);
    expect(store.get(next.job.id)!.state).toBe("queued");
    process.kill(child, "SIGKILL");
    const ended = await queue.waitFor(job.id);
    expect(ended).toMatchObject({ state: "interrupted", summary: "the deploy process outlived magi's restart and ended after 0 s; its result is unknown — check !generations misato" });
    expect(ended.startedAt).toBe(2);
    expect(await queue.waitFor(next.job.id)).toMatchObject({ state: "succeeded" });
    expect(processes.listRunning()).toEqual([]);
  });

  it("stops the old group when the adopted job is cancelled", async () => {
    const { leader, child } = await startGroup();
    const tracked: TrackedProcess = { ...readProcessIdentity(leader)!, name: "deploy", host: null };
    const { queue, leftRunning } = setup();
    const job = leftRunning(tracked);
    queue.adopt(job, watchOrphan(tracked, { host: "misato", prefix: "!", pollMs: 50, killGraceMs: 500 }));
    expect(queue.cancel(job.id, "@dan:x", false)).toMatchObject({ ok: true });
    const ended = await queue.waitFor(job.id);
    expect(ended.state).toBe("cancelled");
    expect(ended.summary).toMatch(/^deploy \(pid \d+\), which outlived magi's restart, was stopped after \d+ s; check !generations misato$/);
    expect(listGroupMembers(tracked)).toEqual([]);
    expect(isRunning(child)).toBe(false);
  });

  it("does not wait on a pid whose start time differs (another process took it)", async () => {
    const { leader, child } = await startGroup();
    const real = readProcessIdentity(leader)!;
    const tracked: TrackedProcess = { ...real, startTicks: real.startTicks - 1, name: "colmena", host: null };
    const { queue, leftRunning } = setup();
    const job = leftRunning(tracked);
    queue.adopt(job, watchOrphan(tracked, { host: "misato", prefix: "!", pollMs: 50 }));
    expect(await queue.waitFor(job.id)).toMatchObject({ state: "interrupted" });
    queue.cancel(job.id, "@dan:x", false);
    expect(isRunning(child)).toBe(true);
    process.kill(-leader, "SIGKILL");
  });
});
