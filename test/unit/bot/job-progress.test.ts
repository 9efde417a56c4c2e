// Live progress over the real job queue and an in-memory SQLite store; the edit port records what would be sent.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import pino from "pino";
import { describeJobEnd, shouldNotify } from "../../../bot/job-notice.ts";
import { createJobProgress } from "../../../bot/job-progress.ts";
import type { EditPort } from "../../../bot/edit-port.ts";
import type { Block } from "../../../commands/core/types.ts";
import type { JobRecord } from "../../../runners/jobs/types.ts";
import { createJobQueue } from "../../../runners/jobs/job-queue.ts";
import { createJobStore } from "../../../storage/job-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const text = (blocks: Block[]) => blocks.map((b) => (b.kind === "text" || b.kind === "code" ? b.text : "")).join("\n");

describe("job progress", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("edits the job message at most every 2 s, then once more with the result", async () => {
    const store = createJobStore(openDatabase(":memory:"));
    const edits: { at: number; body: string }[] = [];
    const port: EditPort = { edit: async (_room, _id, blocks) => void edits.push({ at: Date.now(), body: text(blocks) }) };
    const progress = createJobProgress({ edits: port, store, log: pino({ level: "silent" }) });
    const queue = createJobQueue({ store, concurrency: 1, listener: progress.listener });
    const { job } = queue.submit({
      command: "wake", host: "nas", requester: "@dan:x", roomId: "!r", mutating: true, timeoutMs: 60_000,
      work: async (io) => {
        io.phase("sending magic packet");
        for (let i = 1; i <= 50; i++) {
          io.log(`line ${i}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return { ok: true, summary: "nas is up after 5 s", exitCode: 0 };
      },
    });
    progress.attach(job.id, "!r", "$reply");
    await vi.advanceTimersByTimeAsync(6_000);
    // A 5 s job: progress at 0, 2 and 4 s, then the result; each progress edit 2 s after the one before.
    const gaps = edits.slice(1, -1).map((e, i) => e.at - edits[i]!.at);
    expect(gaps.length).toBeGreaterThanOrEqual(2);
    expect(gaps.every((gap) => gap >= 2000)).toBe(true);
    expect(edits.length).toBeLessThanOrEqual(5);
    expect(edits.at(-2)!.body).toMatch(/^job 1 · wake nas · running \(sending magic packet\) · \d s\nline \d+/);
    expect(edits.at(-1)!.body).toBe("job 1 · wake nas · succeeded after 5 s, exit code 0: nas is up after 5 s");
    expect(store.readLog(job.id)).toBe(Array.from({ length: 50 }, (_, i) => `line ${i + 1}\n`).join(""));
  });

  it("keeps a message-less job's last lines for a late announcement for 10 minutes, then forgets them", async () => {
    const store = createJobStore(openDatabase(":memory:"));
    const edits: string[] = [];
    const progress = createJobProgress({ edits: { edit: async (_r, _e, blocks) => void edits.push(text(blocks)) }, store, log: pino({ level: "silent" }) });
    const queue = createJobQueue({ store, concurrency: 2, listener: progress.listener });
    const run = (host: string) => queue.submit({ command: "wake", host, requester: "@dan:x", roomId: "!r", mutating: false, timeoutMs: 1000, work: async (io) => (io.log(`output of ${host}`), { ok: false, summary: "no MAC" }) }).job;
    const early = run("nas");
    const late = run("kaji");
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    progress.attach(early.id, "!r", "$early");
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    progress.attach(late.id, "!r", "$late");
    await vi.advanceTimersByTimeAsync(10);
    // Within the 10 minutes the lines are still there; after them only the stored state remains.
    expect(edits).toEqual(["job 1 · wake nas · failed after 0 s: no MAC\noutput of nas", "job 2 · wake kaji · failed after 0 s: no MAC"]);
  });

  it("keeps a job's final state for an announcement that arrives late", async () => {
    const store = createJobStore(openDatabase(":memory:"));
    const edits: string[] = [];
    const progress = createJobProgress({ edits: { edit: async (_r, _e, blocks) => void edits.push(text(blocks)) }, store, log: pino({ level: "silent" }) });
    const queue = createJobQueue({ store, concurrency: 1, listener: progress.listener });
    const { job } = queue.submit({ command: "wake", host: "nas", requester: "@dan:x", roomId: "!r", mutating: false, timeoutMs: 1000, work: async () => ({ ok: false, summary: "no MAC" }) });
    await vi.advanceTimersByTimeAsync(10);
    expect(edits).toEqual([]);
    progress.attach(job.id, "!r", "$late");
    await vi.advanceTimersByTimeAsync(10);
    expect(edits).toEqual(["job 1 · wake nas · failed after 0 s: no MAC"]);
    expect(store.get(job.id)?.messageEventId).toBe("$late");
  });

  it("asks for one notice per ended job, after its final edit, however late the announcement", async () => {
    const store = createJobStore(openDatabase(":memory:"));
    const sent: string[] = [];
    const progress = createJobProgress({
      edits: { edit: async (_r, _e, blocks) => void sent.push(`edit: ${text(blocks)}`) },
      notify: async (job) => void sent.push(`notify: job ${job.id} ${job.state} by ${job.requester} under ${job.messageEventId}`),
      store, log: pino({ level: "silent" }),
    });
    const queue = createJobQueue({ store, concurrency: 1, listener: progress.listener });
    const { job } = queue.submit({ command: "wake", host: "nas", requester: "@dan:x", roomId: "!r", mutating: true, timeoutMs: 60_000, work: async () => ({ ok: false, summary: "no answer", exitCode: 1 }) });
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([]);
    progress.attach(job.id, "!r", "$late");
    await vi.advanceTimersByTimeAsync(10);
    const { job: quick } = queue.submit({ command: "wake", host: "kaji", requester: "@kim:x", roomId: "!r", mutating: true, timeoutMs: 60_000, work: async () => ({ ok: true, summary: "up" }) });
    progress.attach(quick.id, "!r", "$quick");
    await vi.advanceTimersByTimeAsync(5_000);
    await progress.drain();
    expect(sent).toEqual([
      "edit: job 1 · wake nas · failed after 0 s, exit code 1: no answer",
      "notify: job 1 failed by @dan:x under $late",
      "edit: job 2 · wake kaji · succeeded after 0 s: up",
      "notify: job 2 succeeded by @kim:x under $quick",
    ]);
  });
});

describe("job end notices", () => {
  const job = (over: Partial<JobRecord>): JobRecord => ({
    id: 12, command: "deploy", host: "misato", requester: "@dan:x", roomId: "!r", mutating: true, state: "failed", phase: null,
    createdAt: 0, startedAt: 0, finishedAt: 20 * 60_000, exitCode: 1, summary: "activation failed", messageEventId: "$m", auditId: null, approvalId: null, launchDeferred: false, launchedAt: null, ...over,
  });

  it("says what ended, how, and where the log is", () => {
    expect(describeJobEnd(job({}), "!")).toBe("deploy misato failed after 20 min (exit 1): activation failed — !log 12");
    expect(describeJobEnd(job({ state: "timed_out", exitCode: null, summary: null }), "!")).toBe("deploy misato timed out after 20 min — !log 12");
    expect(describeJobEnd(job({ state: "cancelled", startedAt: null, exitCode: null, summary: "cancelled by @kim:x" }), ".")).toBe("deploy misato cancelled: cancelled by @kim:x — .log 12");
    expect(describeJobEnd(job({ state: "succeeded", exitCode: 0, summary: "switched" }), "!")).toBe("deploy misato succeeded after 20 min: switched — !log 12");
  });

  it("pings for every ending but a quick success, counting time spent queued", () => {
    for (const state of ["failed", "cancelled", "timed_out", "interrupted"] as const) expect(shouldNotify(job({ state, finishedAt: 1000 }), 30_000), state).toBe(true);
    expect(shouldNotify(job({ state: "succeeded", finishedAt: 29_999 }), 30_000)).toBe(false);
    expect(shouldNotify(job({ state: "succeeded", finishedAt: 30_000 }), 30_000)).toBe(true);
    expect(shouldNotify(job({ state: "succeeded", createdAt: 0, startedAt: 40_000, finishedAt: 45_000 }), 30_000)).toBe(true);
  });
});
