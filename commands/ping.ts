// !ping: is magi alive and listening here?
import { noArgs } from "./core/args.ts";
import { defineCommand, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Answers pong.
export const pingCommand = defineCommand({
  name: "ping",
  aliases: [],
  summary: "check that magi is listening",
  usage: "ping",
  minLevel: LEVELS.communication,
  uses: [],
  args: noArgs,
  run: () => ok(text("pong")),
});
