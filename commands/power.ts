// !shutdown <host> and !reboot <host>: admins only, confirmed by the requester's own ✅ (the default policy), run as jobs.
import { LEVELS } from "../domain/levels.ts";
import type { PowerAction } from "../domain/power.ts";
import { findHost, oneHostArgs } from "./core/host-arg.ts";
import { describeJob } from "./core/job-view.ts";
import { defineCommand, fail, type CommandSpec, type Output } from "./core/types.ts";

// Down, back up, and slack for the commands themselves.
const POWER_TIMEOUT_MS = 15 * 60_000;

function declarePower(name: "shutdown" | "reboot", action: PowerAction, summary: string): CommandSpec {
  return defineCommand({
    name,
    aliases: name === "shutdown" ? ["poweroff"] : [],
    summary,
    usage: `${name} <host>`,
    minLevel: LEVELS.admin,
    uses: ["actions", "inventory", "jobs"],
    args: oneHostArgs,
    approval: (ctx, hostName) => {
      const host = findHost(ctx.inventory, hostName);
      if (typeof host === "string") return host;
      if (!host.ssh) return `${hostName} has no ssh settings (hosts.${hostName}.ssh), so magi can't ${name} it`;
      return { work: `${name} ${hostName} (systemctl ${action})`, hosts: [hostName] };
    },
    run: (ctx, hostName): Output => {
      const host = findHost(ctx.inventory, hostName);
      if (typeof host === "string") return fail(host);
      const { job, waitingBehind } = ctx.jobs.submit({
        command: name,
        host: hostName,
        requester: ctx.caller.userId,
        roomId: ctx.roomId,
        mutating: true,
        timeoutMs: POWER_TIMEOUT_MS,
        work: (io) => ctx.actions.power(hostName, action, io),
      });
      return { ok: true, blocks: describeJob(job, [], ctx.now(), waitingBehind), job: job.id };
    },
  });
}

// Powers a host off and confirms it went down.
export const shutdownCommand = declarePower("shutdown", "poweroff", "power a host off and confirm it went down (asks you to confirm with ✅)");
// Reboots a host and reports when it is back.
export const rebootCommand = declarePower("reboot", "reboot", "reboot a host and report when it is back (asks you to confirm with ✅)");
