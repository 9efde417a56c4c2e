// !resume <check>: watch a paused check again; its schedule counts from now, so it is not down at once.
import { LEVELS } from "../domain/levels.ts";
import { describeUnknownCheck, oneCheckArgs } from "./core/check-arg.ts";
import { describeExpected } from "./core/check-view.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// Resumes a paused check.
export const resumeCommand = defineCommand({
  name: "resume",
  aliases: [],
  summary: "resume a paused check; its schedule counts from now",
  usage: "resume <check>",
  minLevel: LEVELS.deployer,
  uses: ["checks"],
  args: oneCheckArgs,
  run: (ctx, name) => {
    const unknown = describeUnknownCheck(ctx.checks, name, ctx.prefix);
    if (unknown) return fail(unknown);
    const now = ctx.now();
    if (!ctx.checks.resume(name, now)) return fail(`${name} is not paused.`);
    const check = ctx.checks.list(now).find((c) => c.name === name)!;
    return ok(text(`▶️ Resumed ${name}: next run expected ${describeExpected(check, now)}.`));
  },
});
