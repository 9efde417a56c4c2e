// How a job reads in the room: its live progress message, its final result, and its row in !jobs.
import { formatUtcTime } from "../../domain/format-utc.ts";
import { formatDuration } from "../../runners/jobs/format-duration.ts";
import { isOrphanPhase } from "../../runners/jobs/tracked-process.ts";
import type { JobRecord } from "../../runners/jobs/types.ts";
import type { Block } from "./types.ts";


const STATE_WORDS: Record<JobRecord["state"], string> = {
  queued: "queued", running: "running", succeeded: "succeeded", failed: "failed",
  cancelled: "cancelled", timed_out: "timed out", interrupted: "interrupted",
};

// "running (phase)"; a process that outlived a restart shows as what it is, not as magi's own run.
const describeRunning = (phase: string | null) => (isOrphanPhase(phase) ? phase : phase ? `running (${phase})` : "running");

// One line naming the job and its state, with phase or result.
export function describeJobLine(job: JobRecord, now: number, waitingBehind?: number | null): string {
  const head = `job ${job.id} · ${job.command} ${job.host}`;
  const took = job.startedAt ? formatDuration((job.finishedAt ?? now) - job.startedAt) : "";
  switch (job.state) {
    case "queued":
      return `${head} · queued${waitingBehind ? `, waiting behind job ${waitingBehind} on ${job.host}` : ""}`;
    case "running":
      return `${head} · ${describeRunning(job.phase)} · ${took}`;
    default: {
      const exit = job.exitCode !== null ? `, exit code ${job.exitCode}` : "";
      return `${head} · ${STATE_WORDS[job.state]}${took ? ` after ${took}` : ""}${exit}${job.summary ? `: ${job.summary}` : ""}`;
    }
  }
}

// The live message: the state line and, while it runs or if it failed, the last lines of output.
export function describeJob(job: JobRecord, lastLines: readonly string[], now: number, waitingBehind?: number | null): Block[] {
  const blocks: Block[] = [{ kind: "text", text: describeJobLine(job, now, waitingBehind) }];
  const showLines = job.state === "running" || job.state === "failed" || job.state === "timed_out";
  if (showLines && lastLines.length > 0) blocks.push({ kind: "code", text: lastLines.join("\n") });
  return blocks;
}

// A row for the !jobs table.
export function describeJobRow(job: JobRecord, now: number): string[] {
  const started = job.startedAt ? formatUtcTime(job.startedAt) : "";
  const took = job.startedAt ? formatDuration((job.finishedAt ?? now) - job.startedAt) : "";
  const state = job.state === "running" ? describeRunning(job.phase) : STATE_WORDS[job.state];
  return [String(job.id), `${job.command} ${job.host}`, job.requester, state, started, took];
}
