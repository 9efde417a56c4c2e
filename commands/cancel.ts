// !cancel <id>: stops a queued or running job; its requester or an admin may.
import { jobIdArgs } from "./job-id.ts";
import { defineCommand, fail, ok, text } from "./types.ts";

// Cancels a job, closing its remote command.
export const cancelCommand = defineCommand({
  name: "cancel",
  aliases: [],
  summary: "cancel a queued or running job (yours, or any if you are an admin)",
  usage: "cancel <job id>",
  minLevel: 3,
  args: jobIdArgs,
  run: (ctx, id) => {
    const result = ctx.jobs.cancel(id, ctx.caller.userId, ctx.caller.level >= 4);
    if (!result.ok) return fail(result.message);
    const state = result.job.state === "cancelled" ? "cancelled before it started" : "is being cancelled";
    return ok(text(`job ${id} (${result.job.command} ${result.job.host}) ${state}.`));
  },
});
