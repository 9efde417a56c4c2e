// Starts the job machinery: the store, the queue, live progress edits, and the report on jobs a previous run left unfinished.
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import { describeJob } from "../commands/core/job-view.ts";
import { watchOrphan } from "../runners/deploy/watch-orphan.ts";
import { watchRemote } from "../runners/deploy/watch-remote.ts";
import type { Inventory } from "../runners/inventory.ts";
import { createJobQueue } from "../runners/jobs/job-queue.ts";
import type { JobListener } from "../runners/jobs/job-events.ts";
import { describeWhere, type TrackedProcess } from "../runners/jobs/tracked-process.ts";
import { TERMINAL_STATES, type JobRecord, type JobWork } from "../runners/jobs/types.ts";
import { listGroupMembers } from "../runners/proc/process-identity.ts";
import { createJobProcessStore } from "../storage/job-process-store.ts";
import { createJobStore } from "../storage/job-store.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { createEditPort } from "./edit-port.ts";
import { createJobNotifier } from "./job-notice.ts";
import { createJobProgress } from "./job-progress.ts";

// How jobs are run and reported; notifyAfterMs is how long a successful job may take before its requester is pinged about it.
export interface StartJobsOptions {
  concurrency: number;
  prefix: string;
  notifyAfterMs: number;
  msgtypeFor(roomId: string): ReplyMsgtype;
  // How often to look whether a deploy process that outlived a restart has ended.
  orphanPollMs?: number;
  metrics?: MetricsPort;
  // The hosts, to ask over SSH about commands that outlived a restart there.
  inventory?: Inventory;
}

// Splits the processes running jobs left behind into those still running on this machine, those on a
// host to ask over SSH (whose answer decides), and those gone (or on a host magi no longer knows).
function sortOrphans(running: { jobId: number; process: TrackedProcess }[], inventory?: Inventory) {
  const alive = running.filter((r) => r.process.host === null && listGroupMembers(r.process).length > 0);
  const remote = running.filter((r) => r.process.host !== null && inventory?.get(r.process.host)?.ssh !== undefined);
  const gone = running.filter((r) => !alive.includes(r) && !remote.includes(r));
  return { alive, remote, gone: new Map(gone.map((r) => [r.jobId, r.process])) };
}

// The notice for a job whose process outlived magi's restart and still runs.
function describeStillRunning(job: JobRecord, process: TrackedProcess): string {
  return `job ${job.id} (${job.command} ${job.host}): magi restarted while this ${job.command} was running; ${process.name} (pid ${process.pid}) is still running ${describeWhere(process)} — magi is waiting for it to end, and ${job.host} stays locked until then.`;
}

// Creates the queue and progress reporter; interrupted jobs are reported to their requesters.
export function startJobs(db: Database.Database, client: MatrixClient, log: Logger, opts: StartJobsOptions) {
  const store = createJobStore(db);
  const edits = createEditPort(client, log, opts.msgtypeFor);
  const notifier = createJobNotifier({ client, log, msgtypeFor: opts.msgtypeFor, prefix: opts.prefix, notifyAfterMs: opts.notifyAfterMs });
  const progress = createJobProgress({ edits, store, log, notify: notifier.notifyEnd });
  const processes = createJobProcessStore(db);
  const orphans = sortOrphans(processes.listRunning(), opts.inventory);
  const interrupted = db.transaction(() => {
    for (const [jobId, p] of orphans.gone) {
      const fate = p.host === null ? "had ended before magi restarted" : `on ${p.host} cannot be checked: ${p.host} is no longer a host with ssh settings`;
      store.update(jobId, { summary: `its ${p.name} (pid ${p.pid}) ${fate}; its result is unknown — check ${opts.prefix}generations ${store.get(jobId)!.host}` });
    }
    return store.interruptUnfinished(Date.now(), new Set([...orphans.alive, ...orphans.remote].map((o) => o.jobId)));
  })();
  // A job's one terminal state event is where it is counted; those a restart interrupted have no duration to tell.
  for (const job of interrupted) opts.metrics?.countJobEnd(job.command, job.state, null);
  const listener: JobListener = (event) => {
    progress.listener(event);
    const { command, state, startedAt, finishedAt } = event.job;
    if (event.kind === "state" && TERMINAL_STATES.includes(state)) opts.metrics?.countJobEnd(command, state, startedAt !== null && finishedAt !== null ? (finishedAt - startedAt) / 1000 : null);
  };
  const queue = createJobQueue({ store, concurrency: opts.concurrency, listener, recordProcess: processes.record });
  // Adopted before any command can arrive, so the host stays locked while the old process runs.
  const adopt = (job: JobRecord, work: JobWork) => {
    queue.adopt(job, work);
    if (job.messageEventId) progress.attach(job.id, job.roomId, job.messageEventId);
  };
  const poll = opts.orphanPollMs ? { pollMs: opts.orphanPollMs } : {};
  const adopted = orphans.alive.map(({ jobId, process }) => {
    const job = store.get(jobId)!;
    adopt(job, watchOrphan(process, { host: job.host, prefix: opts.prefix, ...poll }));
    return { job, process };
  });
  // A remote process is known to run only once its host answers; the notice waits for the interrupted ones.
  let reported = () => {};
  const afterReport = new Promise<void>((resolve) => (reported = resolve));
  for (const { jobId, process } of orphans.remote) {
    const job = store.get(jobId)!;
    const onFirstVerdict = ({ kind }: { kind: string }) => {
      if (kind !== "running") return;
      log.warn({ jobId, host: job.host, pid: process.pid }, "a command on a host outlived magi's restart; waiting for it to end");
      void afterReport.then(() => notifier.send(job, describeStillRunning(job, process)));
    };
    adopt(job, watchRemote(process, { host: opts.inventory!.get(process.host!)!, prefix: opts.prefix, onFirstVerdict, ...poll }));
  }
  const reportInterrupted = async () => {
    for (const job of interrupted) {
      log.warn({ jobId: job.id, host: job.host, command: job.command }, "job was interrupted by a restart; not re-running it");
      const neverBegan = job.launchDeferred && job.launchedAt === null;
      const text = neverBegan
        ? `job ${job.id} (${job.command} ${job.host}) was cut off by a restart before it began: nothing reached ${job.host}. ${job.approvalId !== null ? "Its approval still counts while fresh: magi runs it again (see the prompt)." : "Start it again if it is still needed."}`
        : `job ${job.id} (${job.command} ${job.host}) was interrupted: magi stopped while it was ${job.startedAt ? "running" : "queued"}. It was not re-run; check ${job.host} and start it again if it is still needed.`;
      try {
        if (job.messageEventId) await edits.edit(job.roomId, job.messageEventId, describeJob(job, [], Date.now()));
      } catch (error) {
        log.warn({ jobId: job.id, err: (error as Error).message }, "could not mark the interrupted job's message");
      }
      await notifier.send(job, text);
    }
    for (const { job, process } of adopted) {
      log.warn({ jobId: job.id, host: job.host, pid: process.pid }, "a deploy process outlived magi's restart; waiting for it to end");
      await notifier.send(job, describeStillRunning(job, process));
    }
    reported();
  };
  // For a stop: a job with a recorded process is left for the next start to adopt; tell reaches a job's requester.
  return { store, edits, progress, queue, reportInterrupted, processOf: processes.get, tell: notifier.send };
}
