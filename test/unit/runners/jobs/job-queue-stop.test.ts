// The queue's part in a clean stop, over a real in-memory SQLite store: no queued job starts once it is closed, and a
// running job can be ended interrupted with the reason first in its summary.
import { describe, expect, it } from "vitest";
import { createJobQueue } from "../../../../runners/jobs/job-queue.ts";
import type { JobIO, JobOutcome, JobRequest } from "../../../../runners/jobs/types.ts";
import { createJobStore } from "../../../../storage/job-store.ts";
import { openDatabase } from "../../../../storage/open-database.ts";

function setup() {
  const store = createJobStore(openDatabase(":memory:"));
  const queue = createJobQueue({ store, concurrency: 1, listener: () => {} });
  const request = (host: string, work: (io: JobIO) => Promise<JobOutcome>): JobRequest =>
    ({ command: "wake", host, requester: "@dan:x", roomId: "!r", mutating: true, timeoutMs: 60_000, work });
  // Work that runs until its signal aborts, and then says it was cancelled (as wake does).
  const untilAborted = (io: JobIO) => new Promise<JobOutcome>((resolve) => io.signal.addEventListener("abort", () => resolve({ ok: false, cancelled: true, summary: "stopped waiting" })));
  return { queue, request, untilAborted };
}

describe("job queue on stop", () => {
  it("starts no queued job once closed; the running one is listed and ends as it would", async () => {
    const { queue, request } = setup();
    let finish!: () => void;
    const first = queue.submit(request("nas", () => new Promise((resolve) => (finish = () => resolve({ ok: true, summary: "nas is up" })))));
    const second = queue.submit(request("kaji", async () => ({ ok: true, summary: "ran" })));
    queue.close();
    expect(queue.listRunning()).toEqual([first.job.id]);
    finish();
    await queue.drain();
    await new Promise((r) => setTimeout(r, 10));
    expect(queue.get(first.job.id)).toMatchObject({ state: "succeeded", summary: "nas is up" });
    expect(queue.get(second.job.id)).toMatchObject({ state: "queued" });
    expect(queue.listRunning()).toEqual([]);
  });

  it("interrupts a running job: its work is aborted and the job ends interrupted, reason first", async () => {
    const { queue, request, untilAborted } = setup();
    const { job } = queue.submit(request("nas", untilAborted));
    expect(queue.interrupt(job.id, "magi stopped before it ended (grace 2 s)")).toBe(true);
    await queue.drain();
    expect(queue.get(job.id)).toMatchObject({ state: "interrupted", summary: "magi stopped before it ended (grace 2 s); stopped waiting" });
    expect(queue.interrupt(job.id, "again")).toBe(false);
  });
});
