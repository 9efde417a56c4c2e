// !ping: is magi alive and listening here?
import { noArgs } from "./args.ts";
import { defineCommand, ok, text } from "./types.ts";

// Answers pong.
export const pingCommand = defineCommand({
  name: "ping",
  aliases: [],
  summary: "check that magi is listening",
  usage: "ping",
  minLevel: 1,
  args: noArgs,
  run: () => ok(text("pong")),
});
