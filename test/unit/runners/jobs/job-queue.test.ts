// The job queue over a real in-memory SQLite store: locks, concurrency, cancellation, timeouts, restarts.
import { describe, expect, it } from "vitest";
import { createJobQueue } from "../../../../runners/jobs/job-queue.ts";
import type { JobIO, JobOutcome, JobRequest } from "../../../../runners/jobs/types.ts";
import { createJobStore } from "../../../../storage/job-store.ts";
import { openDatabase } from "../../../../storage/open-database.ts";

function gate() {
  let open!: (o: JobOutcome) => void;
  const promise = new Promise<JobOutcome>((resolve) => (open = resolve));
  return { promise, open };
}

function setup(concurrency = 4) {
  const store = createJobStore(openDatabase(":memory:"));
  const started: number[] = [];
  const queue = createJobQueue({ store, concurrency, listener: (e) => e.kind === "state" && e.job.state === "running" && started.push(e.job.id) });
  const request = (host: string, mutating: boolean, work: (io: JobIO) => Promise<JobOutcome>, timeoutMs = 60_000): JobRequest =>
    ({ command: "test", host, requester: "@dan:x", roomId: "!r", mutating, timeoutMs, work });
  return { store, queue, started, request };
}

describe("job queue", () => {
  it("runs one mutating job per host and says which job a second waits behind", async () => {
    const { queue, started, request } = setup();
    const first = gate();
    const a = queue.submit(request("nas", true, () => first.promise));
    const b = queue.submit(request("nas", true, async () => ({ ok: true, summary: "second" })));
    const c = queue.submit(request("kaji", true, async () => ({ ok: true, summary: "other host" })));
    const d = queue.submit(request("nas", false, async () => ({ ok: true, summary: "read-only" })));
    expect([a.waitingBehind, b.waitingBehind, c.waitingBehind, d.waitingBehind]).toEqual([null, a.job.id, null, null]);
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([a.job.id, c.job.id, d.job.id]);
    first.open({ ok: true, summary: "first" });
    await queue.drain();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([a.job.id, c.job.id, d.job.id, b.job.id]);
    expect(queue.get(b.job.id)).toMatchObject({ state: "succeeded", summary: "second" });
  });

  it("honours the global concurrency limit", async () => {
    const { queue, started, request } = setup(2);
    const gates = [gate(), gate(), gate()];
    gates.forEach((g, i) => queue.submit(request(`h${i}`, false, () => g.promise)));
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toHaveLength(2);
    gates[0]!.open({ ok: true, summary: "" });
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toHaveLength(3);
    gates.forEach((g) => g.open({ ok: true, summary: "" }));
    await queue.drain();
  });

  it("cancels queued jobs at once and running ones through their signal; only the requester or an admin", async () => {
    const { queue, request } = setup();
    const running = queue.submit(request("nas", true, (io) => new Promise((resolve) => io.signal.addEventListener("abort", () => resolve({ ok: false, cancelled: true, summary: "stopped" })))));
    const waiting = queue.submit(request("nas", true, async () => ({ ok: true, summary: "never" })));
    expect(queue.cancel(waiting.job.id, "@eve:x", false)).toEqual({ ok: false, message: `job ${waiting.job.id} was started by @dan:x; only they or an admin can cancel it` });
    expect(queue.cancel(waiting.job.id, "@dan:x", false)).toMatchObject({ ok: true, job: { state: "cancelled" } });
    expect(queue.cancel(running.job.id, "@root:x", true)).toMatchObject({ ok: true });
    await queue.drain();
    expect(queue.get(running.job.id)).toMatchObject({ state: "cancelled", summary: "stopped" });
    expect(queue.cancel(running.job.id, "@dan:x", false)).toEqual({ ok: false, message: `job ${running.job.id} already ended (cancelled)` });
    expect(queue.cancel(999, "@dan:x", false)).toEqual({ ok: false, message: "there is no job 999" });
  });

  it("times a job out through its signal", async () => {
    const { queue, request } = setup();
    const { job } = queue.submit(request("nas", true, (io) => new Promise((resolve) => io.signal.addEventListener("abort", () => resolve({ ok: false, summary: "gave up" }))), 50));
    await new Promise((r) => setTimeout(r, 100));
    await queue.drain();
    expect(queue.get(job.id)).toMatchObject({ state: "timed_out", summary: "timed out after 0 s; gave up" });
  });

  it("marks what a crash left queued or running as interrupted", () => {
    const { store } = setup();
    const a = store.insert({ command: "wake", host: "nas", requester: "@d:x", roomId: "!r", mutating: true, createdAt: 1 });
    store.update(a.id, { state: "running", startedAt: 2 });
    const b = store.insert({ command: "wake", host: "nas", requester: "@d:x", roomId: "!r", mutating: true, createdAt: 3 });
    const done = store.insert({ command: "wake", host: "kaji", requester: "@d:x", roomId: "!r", mutating: true, createdAt: 4 });
    store.update(done.id, { state: "succeeded" });
    expect(store.interruptUnfinished(10).map((j) => [j.id, j.state, j.finishedAt])).toEqual([[a.id, "interrupted", 10], [b.id, "interrupted", 10]]);
    expect(store.get(done.id)?.state).toBe("succeeded");
  });
});
