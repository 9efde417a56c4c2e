// A clean stop (SIGTERM): nothing new comes in, running jobs get a grace period to end, those that do not are ended
// interrupted with the room told (or, when their process outlives magi, left to the next start to adopt), what must
// be said is sent while there is time, and the database is closed last.
import type { Logger } from "pino";
import type { JobQueue } from "../runners/jobs/job-queue.ts";
import { describeWhere, type TrackedProcess } from "../runners/jobs/tracked-process.ts";
import type { JobRecord } from "../runners/jobs/types.ts";

// After the grace: how long interrupted jobs, replies and the outbox get to finish.
const AFTER_GRACE_MS = 5_000;

// The running bot's parts, as the stop needs them.
export interface StopDeps {
  log: Logger;
  graceMs: number;
  // Closes every way work comes in: the sync loop, HTTP, checks, schedules, the approval sweeper.
  closeIntake(): Promise<void>;
  queue: Pick<JobQueue, "close" | "drain" | "listRunning" | "interrupt" | "get">;
  // The process a job recorded: it outlives magi, and the next start adopts it instead of calling the job interrupted.
  processOf(jobId: number): TrackedProcess | undefined;
  // Tells the job's requester, in reply to their command.
  tell(job: JobRecord, text: string): Promise<void>;
  // Waits for command replies and progress edits under way.
  drainReplies(): Promise<void>;
  countUnsent(): number;
  stopSending(): Promise<void>;
  // Closes connections and, last, the database.
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Waits for work, or for ms to pass; true when the work ended first.
async function waitWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  const ended = await Promise.race([work.then(() => true as const, () => true as const), timeout]);
  clearTimeout(timer);
  return ended;
}

// Ends the jobs still running once the grace is over.
async function endLeftovers(deps: StopDeps, graceSeconds: number): Promise<void> {
  const told: Promise<void>[] = [];
  for (const id of deps.queue.listRunning()) {
    const job = deps.queue.get(id);
    if (!job) continue;
    const process = deps.processOf(id);
    if (process) {
      deps.log.warn({ jobId: id, host: job.host, pid: process.pid }, "stopping with a job's process still running; the next start adopts it");
      told.push(deps.tell(job, `magi is stopping: job ${id} (${job.command} ${job.host}) had not ended within the ${graceSeconds} s grace period. Its ${process.name} (pid ${process.pid}) keeps running ${describeWhere(process)}; magi looks for it when it starts again, and ${job.host} stays locked until it ends.`));
      continue;
    }
    deps.log.warn({ jobId: id, host: job.host, command: job.command }, "stopping: interrupting a job that did not end within the grace period");
    deps.queue.interrupt(id, `magi stopped before it ended (grace ${graceSeconds} s); check ${job.host} and start it again if it is still needed`);
  }
  await waitWithin(Promise.all([deps.queue.drain(), ...told]), AFTER_GRACE_MS);
}

// Stops the bot; resolves once the database is closed.
export async function stopBot(deps: StopDeps): Promise<void> {
  const graceSeconds = Math.round(deps.graceMs / 1000);
  await deps.closeIntake();
  deps.queue.close();
  const running = deps.queue.listRunning();
  if (running.length > 0) {
    deps.log.info({ jobs: running, graceSeconds }, "stopping: no new commands; waiting for running jobs to end");
    if (!(await waitWithin(deps.queue.drain(), deps.graceMs))) await endLeftovers(deps, graceSeconds);
  }
  await waitWithin(deps.drainReplies(), AFTER_GRACE_MS);
  const until = Date.now() + AFTER_GRACE_MS;
  while (deps.countUnsent() > 0 && Date.now() < until) await sleep(100);
  await deps.stopSending();
  const unsent = deps.countUnsent();
  await deps.close();
  deps.log.info({ unsent }, "magi stopped");
}
