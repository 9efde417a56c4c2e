// !whoami: the identity and level magi sees, so people can tell why something is denied.
import { noArgs } from "./core/args.ts";
import { describeLevel } from "../domain/levels.ts";
import { defineCommand, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Shows the caller's Matrix ID and level in this room.
export const whoamiCommand = defineCommand({
  name: "whoami",
  aliases: [],
  summary: "show your Matrix ID and access level as magi sees them",
  usage: "whoami",
  minLevel: LEVELS.unknown,
  uses: [],
  args: noArgs,
  run: (ctx) => ok(text(`You are ${ctx.caller.userId}, level ${describeLevel(ctx.caller.level)} in this room.`)),
});
