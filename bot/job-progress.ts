// Keeps one message per job up to date: edited in place at most every 2 s, and a final edit with the result.
import type { Logger } from "pino";
import { describeJob } from "../commands/core/job-view.ts";
import type { JobEvent } from "../runners/jobs/job-events.ts";
import { TERMINAL_STATES, type JobRecord } from "../runners/jobs/types.ts";
import type { JobStore } from "../storage/job-store.ts";
import type { EditPort } from "./edit-port.ts";

const LAST_LINES = 6;

interface Tracked {
  job: JobRecord;
  lines: string[];
  roomId?: string;
  eventId?: string;
  timer?: NodeJS.Timeout;
  lastEditAt: number;
  dirty: boolean;
  waitingBehind?: number | null;
}

// What progress reporting needs; notify is told once per ended job, after its final edit, since edits notify nobody.
export interface JobProgressDeps {
  edits: EditPort;
  store: JobStore;
  log: Logger;
  throttleMs?: number;
  notify?: (job: JobRecord) => Promise<void>;
}

const UNATTACHED_TTL_MS = 10 * 60_000;

// Creates the job listener and attach(), which binds a job to the reply that announced it.
export function createJobProgress(deps: JobProgressDeps) {
  const throttleMs = deps.throttleMs ?? 2000;
  const tracked = new Map<number, Tracked>();
  const inflight = new Set<Promise<void>>();

  const entry = (job: JobRecord) => {
    let t = tracked.get(job.id);
    if (!t) tracked.set(job.id, (t = { job, lines: [], lastEditAt: 0, dirty: false }));
    return t;
  };

  // A job that ends with no message (a preview's build job) is forgotten after a while; until then a late attach()
  // still finds its last lines.
  function forgetUnattached(t: Tracked): void {
    if (t.eventId || !TERMINAL_STATES.includes(t.job.state)) return;
    setTimeout(() => {
      if (tracked.get(t.job.id) === t && !t.eventId) tracked.delete(t.job.id);
    }, UNATTACHED_TTL_MS).unref();
  }

  function flush(t: Tracked): void {
    t.timer = undefined;
    if (!t.eventId || !t.roomId) return forgetUnattached(t);
    if (!t.dirty) return;
    t.dirty = false;
    t.lastEditAt = Date.now();
    // Listener events carry the job as the queue saw it, which may predate attach() storing the message id.
    const job = { ...t.job, messageEventId: t.eventId };
    const ended = TERMINAL_STATES.includes(job.state);
    const blocks = describeJob(job, t.lines, Date.now(), t.waitingBehind);
    const edited = deps.edits.edit(t.roomId, t.eventId, blocks).catch((e: Error) => deps.log.warn({ jobId: job.id, err: e.message }, "could not edit job message"));
    const work = ended && deps.notify ? edited.then(() => deps.notify!(job)) : edited;
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
    if (ended) tracked.delete(job.id);
  }

  function schedule(t: Tracked, now = false): void {
    t.dirty = true;
    if (now || TERMINAL_STATES.includes(t.job.state)) {
      if (t.timer) clearTimeout(t.timer);
      return flush(t);
    }
    if (!t.timer) t.timer = setTimeout(() => flush(t), Math.max(0, t.lastEditAt + throttleMs - Date.now()));
  }

  return {
    // The queue's listener.
    listener: (event: JobEvent) => {
      const t = entry(event.job);
      t.job = event.job;
      if (event.kind === "line") t.lines = [...t.lines, event.line].slice(-LAST_LINES);
      schedule(t);
    },
    // Binds a job to its announcing reply, so later changes edit that message.
    attach: (jobId: number, roomId: string, eventId: string, waitingBehind?: number | null) => {
      const job = deps.store.update(jobId, { messageEventId: eventId });
      const t = entry(job);
      Object.assign(t, { roomId, eventId, waitingBehind, lastEditAt: Date.now() });
      if (job.state !== "queued") schedule(t);
    },
    // Waits for edits under way, for shutdown.
    drain: async () => void (await Promise.allSettled([...inflight])),
  };
}
