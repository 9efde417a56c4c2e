// Runs jobs: one mutating job per host at a time, a global concurrency limit, timeouts and cancellation, every change stored first.
import type { JobStore } from "./types.ts";
import type { JobListener } from "./job-events.ts";
import type { TrackedProcess } from "./tracked-process.ts";
import { TERMINAL_STATES, type JobOutcome, type JobRecord, type JobRequest, type JobsPort, type JobState } from "./types.ts";

interface Pending {
  id: number;
  request: JobRequest;
  controller: AbortController;
  stop?: "cancel" | "timeout" | "interrupt";
  // Why an interrupted job was stopped, put before what its work said.
  reason?: string;
}

// Queue settings.
export interface JobQueueOptions {
  store: JobStore;
  concurrency: number;
  listener: JobListener;
  now?: () => number;
  // Stores the process a job's work runs as (see JobIO.track).
  recordProcess?: (jobId: number, process: TrackedProcess) => void;
}

// setTimeout's longest delay: an adopted job has no deadline of its own.
const NO_DEADLINE_MS = 2 ** 31 - 1;

function finalState(pending: Pending, outcome: JobOutcome): JobState {
  // Before the outcome's own word: work stopped by magi's shutdown reports itself cancelled.
  if (pending.stop === "interrupt") return "interrupted";
  if (pending.stop === "cancel" || outcome.cancelled) return "cancelled";
  if (pending.stop === "timeout" || outcome.timedOut) return "timed_out";
  if (outcome.interrupted) return "interrupted";
  return outcome.ok ? "succeeded" : "failed";
}

// The queue as the bot holds it: the JobsPort commands use, batches, and drain for shutdown.
export interface JobQueue extends JobsPort {
  // Runs fn with every job it submits stored in one transaction, and starts them only once that has committed.
  batch<T>(fn: () => T): T;
  // Runs work for a job a previous run of magi left running, keeping its row (and its host locked) until the work ends.
  adopt(job: JobRecord, work: JobRequest["work"]): void;
  drain(): Promise<void>;
  // Starts no more queued jobs (magi is stopping); they stay queued in the store for the next start to report.
  close(): void;
  // The ids of the jobs whose work is running now.
  listRunning(): number[];
  // Stops a running job's work and ends it interrupted, reason first in its summary; false when it is not running.
  interrupt(id: number, reason: string): boolean;
}

// Creates the queue.
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { store, listener } = options;
  const now = options.now ?? Date.now;
  const queued: Pending[] = [];
  const running = new Map<number, { pending: Pending; done: Promise<void> }>();
  const lockedHosts = new Map<string, number>();
  // Jobs submitted inside a batch, announced and started when it commits; undefined outside a batch.
  let held: Pending[] | undefined;
  let closed = false;

  const waiters = new Map<number, ((job: JobRecord) => void)[]>();
  const emit = (job: JobRecord) => {
    listener({ kind: "state", job });
    if (TERMINAL_STATES.includes(job.state)) {
      for (const resolve of waiters.get(job.id) ?? []) resolve(job);
      waiters.delete(job.id);
    }
  };

  function holderOf(host: string, beforeId: number): number | null {
    const locked = lockedHosts.get(host);
    if (locked !== undefined) return locked;
    const earlier = queued.find((p) => p.request.host === host && p.request.mutating && p.id < beforeId);
    return earlier ? earlier.id : null;
  }

  function pump(): void {
    if (closed) return;
    for (const pending of [...queued]) {
      if (running.size >= options.concurrency) return;
      const { host, mutating } = pending.request;
      if (mutating && holderOf(host, pending.id) !== null) continue;
      queued.splice(queued.indexOf(pending), 1);
      start(pending);
    }
  }

  function start(pending: Pending, adopted = false): void {
    const { request, controller } = pending;
    if (request.mutating) lockedHosts.set(request.host, pending.id);
    let job = adopted ? store.get(pending.id)! : store.update(pending.id, { state: "running", startedAt: now() });
    emit(job);
    const timer = setTimeout(() => {
      pending.stop ??= "timeout";
      controller.abort(new Error("timed out"));
    }, request.timeoutMs);
    const io = {
      signal: controller.signal,
      log: (line: string) => {
        store.appendLog(pending.id, line.endsWith("\n") ? line : `${line}\n`);
        listener({ kind: "line", job, line });
      },
      phase: (name: string) => {
        job = store.update(pending.id, { phase: name });
        emit(job);
      },
      track: (process: TrackedProcess) => options.recordProcess?.(pending.id, process),
      launch: () => void (store.get(pending.id)?.launchedAt ?? store.update(pending.id, { launchedAt: now() })),
    };
    const done = request
      .work(io)
      .catch((error: unknown): JobOutcome => ({ ok: false, summary: `internal error: ${(error as Error).message}` }))
      .then((outcome) => {
        clearTimeout(timer);
        const summary = pending.stop === "timeout" ? `timed out after ${Math.round(request.timeoutMs / 1000)} s; ${outcome.summary}`
          : pending.stop === "interrupt" ? `${pending.reason}; ${outcome.summary}` : outcome.summary;
        job = store.update(pending.id, { state: finalState(pending, outcome), finishedAt: now(), exitCode: outcome.exitCode ?? null, summary });
      })
      .finally(() => {
        running.delete(pending.id);
        if (lockedHosts.get(request.host) === pending.id) lockedHosts.delete(request.host);
        emit(job);
        pump();
      });
    running.set(pending.id, { pending, done });
  }

  return {
    submit: (request) => {
      const job = store.insert({ ...request, launchDeferred: request.deferLaunch === true, createdAt: now() });
      const pending: Pending = { id: job.id, request, controller: new AbortController() };
      const waitingBehind = request.mutating ? holderOf(request.host, job.id) : null;
      if (held) {
        held.push(pending);
        return { job, waitingBehind };
      }
      queued.push(pending);
      emit(job);
      pump();
      return { job: store.get(job.id)!, waitingBehind };
    },
    batch: (fn) => {
      if (held) return fn();
      const batch: Pending[] = (held = []);
      let result: ReturnType<typeof fn>;
      try {
        result = store.transaction(fn);
      } finally {
        held = undefined;
      }
      // Committed: now they may be seen and started. A rolled-back batch leaves nothing behind.
      queued.push(...batch);
      for (const pending of batch) emit(store.get(pending.id)!);
      pump();
      return result;
    },
    cancel: (id, by, isAdmin) => {
      const job = store.get(id);
      if (!job) return { ok: false, message: `there is no job ${id}` };
      if (job.requester !== by && !isAdmin) return { ok: false, message: `job ${id} was started by ${job.requester}; only they or an admin can cancel it` };
      const index = queued.findIndex((p) => p.id === id);
      if (index >= 0) {
        queued.splice(index, 1);
        const cancelled = store.update(id, { state: "cancelled", finishedAt: now(), summary: `cancelled by ${by} before it started` });
        emit(cancelled);
        pump();
        return { ok: true, job: cancelled };
      }
      const active = running.get(id);
      if (!active) return { ok: false, message: `job ${id} already ended (${job.state.replace("_", " ")})` };
      active.pending.stop ??= "cancel";
      active.pending.controller.abort(new Error(`cancelled by ${by}`));
      return { ok: true, job };
    },
    get: (id) => store.get(id),
    list: (limit) => store.list(limit),
    readLog: (id) => store.readLog(id),
    waitFor: (id) => {
      const job = store.get(id);
      if (!job || TERMINAL_STATES.includes(job.state)) return Promise.resolve(job!);
      return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
    },
    adopt: (job, work) => {
      const request: JobRequest = { command: job.command, host: job.host, requester: job.requester, roomId: job.roomId, mutating: job.mutating, timeoutMs: NO_DEADLINE_MS, work };
      start({ id: job.id, request, controller: new AbortController() }, true);
    },
    drain: async () => void (await Promise.allSettled([...running.values()].map((r) => r.done))),
    close: () => void (closed = true),
    listRunning: () => [...running.keys()],
    interrupt: (id, reason) => {
      const active = running.get(id);
      if (!active) return false;
      active.pending.stop ??= "interrupt";
      active.pending.reason = reason;
      active.pending.controller.abort(new Error(reason));
      return true;
    },
  };
}
