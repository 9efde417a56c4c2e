// !hosts: the inventory from config.
import { noArgs } from "./args.ts";
import { defineCommand, ok, text } from "./types.ts";
import { LEVELS } from "../domain/levels.ts";

// Lists every configured host with its address and tags.
export const hostsCommand = defineCommand({
  name: "hosts",
  aliases: [],
  summary: "list the hosts magi knows, with address and tags",
  usage: "hosts",
  minLevel: LEVELS.communication,
  args: noArgs,
  run: (ctx) => {
    const hosts = [...ctx.inventory.values()];
    if (hosts.length === 0) return ok(text("No hosts are configured."));
    return ok({
      kind: "table",
      columns: ["host", "address", "tags"],
      rows: hosts.map((h) => [h.name, h.address, h.tags.map((t) => `@${t}`).join(" ")]),
    });
  },
});
