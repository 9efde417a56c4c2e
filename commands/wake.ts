// !wake <host>: sends a wake-on-LAN packet and waits until the host answers on SSH, as a job.
import { LEVELS } from "../domain/levels.ts";
import { findHost, oneHostArgs } from "./core/host-arg.ts";
import { describeJob } from "./core/job-view.ts";
import { defineCommand, fail, type Output } from "./core/types.ts";

// Extra time beyond the host's wake deadline for sending and the last poll.
const SLACK_MS = 30_000;

// Wakes a host; the reply is the job's live message.
export const wakeCommand = defineCommand({
  name: "wake",
  aliases: [],
  summary: "wake a host with a wake-on-LAN packet and wait until it answers on SSH",
  usage: "wake <host>",
  minLevel: LEVELS.deployer,
  uses: ["actions", "inventory", "jobs"],
  args: oneHostArgs,
  run: (ctx, name): Output => {
    const host = findHost(ctx.inventory, name);
    if (typeof host === "string") return fail(host);
    if (!host.mac) return fail(`no MAC address is configured for ${name} (hosts.${name}.mac), so magi can't wake it`);
    if (!host.ssh) return fail(`${name} has no ssh settings, so magi could not tell when it is up (hosts.${name}.ssh)`);
    const { job, waitingBehind } = ctx.jobs.submit({
      command: "wake",
      host: name,
      requester: ctx.caller.userId,
      roomId: ctx.roomId,
      mutating: true,
      timeoutMs: (host.wake?.timeoutSeconds ?? 300) * 1000 + SLACK_MS,
      work: (io) => ctx.actions.wake(name, io),
    });
    return { ok: true, blocks: describeJob(job, [], ctx.now(), waitingBehind), job: job.id };
  },
});
