// Starts the job machinery: the store, the queue, live progress edits, and the report on jobs a previous run left unfinished.
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { describeJob } from "../commands/job-view.ts";
import { createJobQueue } from "../runners/jobs/job-queue.ts";
import { createJobStore } from "../storage/job-store.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { createEditPort } from "./edit-port.ts";
import { createJobNotifier } from "./job-notice.ts";
import { createJobProgress } from "./job-progress.ts";
import type { JobRecord } from "../runners/jobs/types.ts";

// How jobs are run and reported; notifyAfterMs is how long a successful job may take before its requester is pinged about it.
export interface StartJobsOptions {
  concurrency: number;
  prefix: string;
  notifyAfterMs: number;
  msgtypeFor(roomId: string): ReplyMsgtype;
  onFinished?: (job: JobRecord) => void;
}

// Creates the queue and progress reporter; interrupted jobs are reported to their requesters.
export function startJobs(db: Database.Database, client: MatrixClient, log: Logger, opts: StartJobsOptions) {
  const store = createJobStore(db);
  const edits = createEditPort(client, log, opts.msgtypeFor);
  const notifier = createJobNotifier({ client, log, msgtypeFor: opts.msgtypeFor, prefix: opts.prefix, notifyAfterMs: opts.notifyAfterMs });
  const progress = createJobProgress({ edits, store, log, notify: notifier.notifyEnd, ...(opts.onFinished ? { onFinished: opts.onFinished } : {}) });
  const interrupted = store.interruptUnfinished(Date.now());
  const queue = createJobQueue({ store, concurrency: opts.concurrency, listener: progress.listener });
  const reportInterrupted = async () => {
    for (const job of interrupted) {
      log.warn({ jobId: job.id, host: job.host, command: job.command }, "job was interrupted by a restart; not re-running it");
      const text = `job ${job.id} (${job.command} ${job.host}) was interrupted: magi stopped while it was ${job.startedAt ? "running" : "queued"}. It was not re-run; check ${job.host} and start it again if it is still needed.`;
      try {
        if (job.messageEventId) await edits.edit(job.roomId, job.messageEventId, describeJob(job, [], Date.now()));
      } catch (error) {
        log.warn({ jobId: job.id, err: (error as Error).message }, "could not mark the interrupted job's message");
      }
      await notifier.send(job, text);
    }
  };
  return { store, edits, progress, queue, reportInterrupted };
}
