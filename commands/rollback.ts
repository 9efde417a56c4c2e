// !rollback <host> [generation]: back to the previous (or a given) NixOS generation, as a job.
import { z } from "zod";
import { LEVELS } from "../domain/levels.ts";
import { hostNameToken } from "./core/args.ts";
import { findHost } from "./core/host-arg.ts";
import { describeJob } from "./core/job-view.ts";
import { defineCommand, fail, type Output } from "./core/types.ts";

const args = z
  .array(z.string())
  .min(1, "expected a host name")
  .max(2, "expected a host name and optionally a generation number")
  .transform((t) => (t[1] === undefined ? { host: t[0]! } : { host: t[0]!, generation: t[1] }))
  .pipe(z.object({
    host: hostNameToken,
    generation: z.string().regex(/^[1-9][0-9]{0,8}$/, "expected a generation number, as !generations shows it").optional(),
  }));

// Rolls a host back; admins only, approval where policy says so.
export const rollbackCommand = defineCommand({
  name: "rollback",
  aliases: [],
  summary: "switch a host back to the previous NixOS generation, or to a given one",
  usage: "rollback <host> [generation]",
  minLevel: LEVELS.admin,
  uses: ["deploys", "inventory", "jobs"],
  args,
  approval: (ctx, a) => {
    const host = findHost(ctx.inventory, a.host);
    if (typeof host === "string") return host;
    if (!host.ssh) return `${a.host} has no ssh settings (hosts.${a.host}.ssh)`;
    return { work: `rollback ${a.host} to ${a.generation ? `generation ${a.generation}` : "the previous generation"}`, hosts: [a.host] };
  },
  run: (ctx, a): Output => {
    const host = findHost(ctx.inventory, a.host);
    if (typeof host === "string") return fail(host);
    const { job, waitingBehind } = ctx.jobs.submit({
      command: "rollback", host: a.host, requester: ctx.caller.userId, roomId: ctx.roomId, mutating: true,
      timeoutMs: 3600_000, work: (io) => ctx.deploys.rollback(a.host, a.generation, io),
    });
    return { ok: true, blocks: describeJob(job, [], ctx.now(), waitingBehind), job: job.id };
  },
});
