// Follows jobs for a terminal: their log as it grows, then how each ended. Read from the job store, so a terminal that
// goes away only stops the reading; the jobs themselves never depend on it.
import type { JobRecord, JobsPort } from "../runners/jobs/types.ts";
import { TERMINAL_STATES } from "../runners/jobs/types.ts";
import { describeJobEnd } from "./job-notice.ts";
import type { CliSession } from "./cli-socket-server.ts";

// How often the store is read while a job runs.
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Streams each job in turn to the terminal; resolves with the jobs as they ended (fewer if the terminal went away).
export async function streamJobs(ids: number[], jobs: Pick<JobsPort, "get" | "readLog">, session: Pick<CliSession, "write" | "connected">, commandPrefix: string): Promise<JobRecord[]> {
  const ended: JobRecord[] = [];
  for (const id of ids) {
    let shown = 0;
    let partial = "";
    for (;;) {
      if (!session.connected()) return ended;
      const job = jobs.get(id);
      if (!job) break;
      const log = jobs.readLog(id) ?? "";
      // Whole lines only, each prefixed with the host, so two hosts' output stays readable.
      const fresh = partial + log.slice(shown);
      shown = log.length;
      const lines = fresh.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) session.write(`${job.host} | ${line}`);
      if (TERMINAL_STATES.includes(job.state)) {
        if (partial) session.write(`${job.host} | ${partial}`);
        session.write(`job ${job.id}: ${describeJobEnd(job, commandPrefix)}`);
        ended.push(job);
        break;
      }
      await sleep(POLL_MS);
    }
  }
  return ended;
}
