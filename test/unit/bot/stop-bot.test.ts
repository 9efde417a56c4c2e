// The stop sequence over a real job queue and in-memory SQLite: jobs get the grace, then a job without a recorded
// process ends interrupted while one whose process outlives magi is left running and its requester told; the
// database is closed last.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { stopBot } from "../../../bot/stop-bot.ts";
import { createJobQueue } from "../../../runners/jobs/job-queue.ts";
import type { TrackedProcess } from "../../../runners/jobs/tracked-process.ts";
import type { JobIO, JobOutcome, JobRecord } from "../../../runners/jobs/types.ts";
import { createJobStore } from "../../../storage/job-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const untilAborted = (io: JobIO) => new Promise<JobOutcome>((resolve) => io.signal.addEventListener("abort", () => resolve({ ok: false, cancelled: true, summary: "cancelled while waiting" })));

function setup() {
  const db = openDatabase(":memory:");
  const store = createJobStore(db);
  const queue = createJobQueue({ store, concurrency: 4, listener: () => {} });
  const submit = (host: string, work: (io: JobIO) => Promise<JobOutcome>) =>
    queue.submit({ command: "wake", host, requester: "@dan:x", roomId: "!r", mutating: true, timeoutMs: 60_000, work }).job.id;
  return { db, queue, submit };
}

describe("stopping magi", () => {
  it("lets a job that ends within the grace finish, and starts no queued one", async () => {
    const { db, queue, submit } = setup();
    const steps: string[] = [];
    let states: string[] = [];
    const quick = submit("nas", () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, summary: "nas is up" }), 200)));
    const behind = submit("nas", async () => ({ ok: true, summary: "ran" }));
    await stopBot({
      log: pino({ level: "silent" }), graceMs: 5_000, queue, processOf: () => undefined, tell: async () => {},
      closeIntake: async () => void steps.push("intake closed"), drainReplies: async () => void steps.push("replies drained"),
      countUnsent: () => 0, stopSending: async () => void steps.push("sending stopped"), close: async () => {
        steps.push("closed");
        states = openStates(queue, [quick, behind]);
        db.close();
      },
    });
    expect(steps).toEqual(["intake closed", "replies drained", "sending stopped", "closed"]);
    expect(states).toEqual(["succeeded", "queued"]);
  });

  it("after the grace interrupts a job with no process of its own, and leaves one whose process outlives magi", async () => {
    const { db, queue, submit } = setup();
    const told: string[] = [];
    const plain = submit("nas", untilAborted);
    const deploy = submit("misato", untilAborted);
    const process: TrackedProcess = { bootId: "b", pid: 4242, pgid: 4242, startTicks: 1, name: "nixos-rebuild", host: null };
    const started = Date.now();
    let states: string[] = [];
    await stopBot({
      log: pino({ level: "silent" }), graceMs: 1_000, queue, processOf: (id) => (id === deploy ? process : undefined),
      tell: async (job: JobRecord, text: string) => void told.push(`${job.id}: ${text}`),
      closeIntake: async () => {}, drainReplies: async () => {}, countUnsent: () => 0, stopSending: async () => {},
      close: async () => {
        states = openStates(queue, [plain, deploy]);
        db.close();
      },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(states).toEqual(["interrupted", "running"]);
    expect(told).toEqual([`${deploy}: magi is stopping: job ${deploy} (wake misato) had not ended within the 1 s grace period. Its nixos-rebuild (pid 4242) keeps running on magi's machine; magi looks for it when it starts again, and misato stays locked until it ends.`]);
  }, 15_000);
});

function openStates(queue: { get(id: number): JobRecord | undefined }, ids: number[]): string[] {
  return ids.map((id) => queue.get(id)!.state);
}
