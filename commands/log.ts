// !log <id>: a job's full log as a text file.
import { describeJobLine } from "./core/job-view.ts";
import { jobIdArgs } from "./core/job-id.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Uploads the job's full log, byte for byte as stored.
export const logCommand = defineCommand({
  name: "log",
  aliases: [],
  summary: "upload a job's full log as a text file",
  usage: "log <job id>",
  minLevel: LEVELS.contributor,
  uses: ["jobs"],
  args: jobIdArgs,
  run: (ctx, id) => {
    const job = ctx.jobs.get(id);
    const log = ctx.jobs.readLog(id);
    if (!job || log === undefined) return fail(`there is no job ${id}; !jobs lists them`);
    const output = ok(text(`${describeJobLine(job, ctx.now())} — full log (${Buffer.byteLength(log)} bytes) attached.`));
    return { ...output, file: { name: `magi-job-${id}-${job.command}-${job.host}.log`, mimetype: "text/plain", data: Buffer.from(log, "utf8") } };
  },
});
