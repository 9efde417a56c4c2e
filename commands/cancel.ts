// !cancel <id>: stops a queued or running job; its requester or an admin may.
import { z } from "zod";
import { isAdmin, LEVELS } from "../domain/levels.ts";
import { JOB_ID_MESSAGE } from "./core/args.ts";
import { jobIdArgs } from "./core/job-id.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// Cancels a job, closing its remote command.
export const cancelCommand = defineCommand({
  name: "cancel",
  aliases: [],
  summary: "cancel a queued or running job (yours, or any if you are an admin); without an id, call off your request waiting for approval",
  usage: "cancel [job id]",
  minLevel: LEVELS.deployer,
  uses: ["approvals", "jobs"],
  args: z.union([z.array(z.string()).length(0).transform(() => undefined), jobIdArgs], { error: `${JOB_ID_MESSAGE}, or nothing` }),
  run: async (ctx, id) => {
    if (id === undefined) {
      const called = await ctx.approvals.cancelOwn(ctx.roomId, ctx.caller.userId);
      return called.ok ? ok(text(`Called off: ${called.work}. Nothing was run.`)) : fail(called.message);
    }
    const result = ctx.jobs.cancel(id, ctx.caller.userId, isAdmin(ctx.caller.level));
    if (!result.ok) return fail(result.message);
    const state = result.job.state === "cancelled" ? "cancelled before it started" : "is being cancelled";
    return ok(text(`job ${id} (${result.job.command} ${result.job.host}) ${state}.`));
  },
});
