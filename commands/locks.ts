// !locks: who holds which host, since when and why.
import { noArgs } from "./core/args.ts";
import { describeLocks } from "./core/lock-view.ts";
import { defineCommand, ok } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Lists every held host lock.
export const locksCommand = defineCommand({
  name: "locks",
  aliases: [],
  summary: "list locked hosts: who holds them, since when and why",
  usage: "locks",
  minLevel: LEVELS.communication,
  uses: ["locks"],
  args: noArgs,
  run: (ctx) => ok(...describeLocks(ctx.locks.list())),
});
