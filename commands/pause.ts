// !pause <check>: stop a check from going late or down (planned maintenance, a NAS being moved) until !resume.
import { LEVELS } from "../domain/levels.ts";
import { describeUnknownCheck, oneCheckArgs } from "./core/check-arg.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// Pauses a check; pings still arrive and are kept.
export const pauseCommand = defineCommand({
  name: "pause",
  aliases: [],
  summary: "pause a check: no late or down messages until !resume (pings are still kept)",
  usage: "pause <check>",
  minLevel: LEVELS.deployer,
  uses: ["checks"],
  args: oneCheckArgs,
  run: (ctx, name) => {
    const unknown = describeUnknownCheck(ctx.checks, name, ctx.prefix);
    if (unknown) return fail(unknown);
    if (!ctx.checks.pause(name, ctx.caller.userId, ctx.now())) return fail(`${name} is already paused.`);
    return ok(text(`⏸️ Paused ${name}: it will not go late or down until ${ctx.prefix}resume ${name}.`));
  },
});
