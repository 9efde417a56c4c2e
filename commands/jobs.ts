// !jobs: what is running, queued and recently finished.
import { noArgs } from "./core/args.ts";
import { describeJobRow } from "./core/job-view.ts";
import { defineCommand, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Lists running and queued jobs, then the most recent others.
export const jobsCommand = defineCommand({
  name: "jobs",
  aliases: [],
  summary: "list running, queued and recent jobs",
  usage: "jobs",
  minLevel: LEVELS.communication,
  uses: ["jobs"],
  args: noArgs,
  run: (ctx) => {
    const jobs = ctx.jobs.list(15);
    if (jobs.length === 0) return ok(text("No jobs yet."));
    return ok({ kind: "table", columns: ["job", "action", "requested by", "state", "started (UTC)", "took"], rows: jobs.map((j) => describeJobRow(j, ctx.now())) });
  },
});
