// !help: lists only what the caller may run, or one command's usage.
import { z } from "zod";
import { checkAccess } from "./core/access.ts";
import { optionalArg } from "./core/args.ts";
import { capEcho } from "./core/echo.ts";
import { findCommand } from "./core/find-command.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";
import { describeLevel, LEVELS } from "../domain/levels.ts";

const commandName = z.string().regex(/^!?[a-z][a-z0-9_-]*$/i, "expected a command name").transform((s) => s.replace(/^!/, "").toLowerCase());

// Shows the commands the caller may run, each with its usage.
export const helpCommand = defineCommand({
  name: "help",
  aliases: ["h"],
  summary: "list the commands you may run, or show one command's usage",
  usage: "help [command]",
  minLevel: LEVELS.unknown,
  uses: ["commands"],
  args: optionalArg(commandName),
  run: (ctx, name) => {
    const p = ctx.prefix;
    if (name !== undefined) {
      const spec = findCommand(ctx.commands, name);
      if (!spec) return fail(`unknown command ${p}${capEcho(name)}`);
      const access = checkAccess(spec, ctx.caller.level, p).allowed ? "" : ` You have level ${describeLevel(ctx.caller.level)}, so you can't run it.`;
      return ok(text(`${p}${spec.usage} — ${spec.summary}. Needs level ${describeLevel(spec.minLevel)}.${access}`));
    }
    const mine = ctx.commands.filter((c) => checkAccess(c, ctx.caller.level, p).allowed);
    return ok(
      text(`Commands you may run (level ${describeLevel(ctx.caller.level)}):`),
      { kind: "table", columns: ["command", "what it does"], rows: mine.map((c) => [`${p}${c.usage}`, c.summary]) },
    );
  },
});
