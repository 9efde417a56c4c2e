// !hosts: the inventory from config, with each host's pinned SSH key and whether config or magi's database pins it.
import { noArgs } from "./core/args.ts";
import { describeHostKey } from "./core/hosts-view.ts";
import { defineCommand, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Lists every configured host with its address, tags and host key pin.
export const hostsCommand = defineCommand({
  name: "hosts",
  aliases: [],
  summary: "list the hosts magi knows, with address, tags and pinned host key",
  usage: "hosts",
  minLevel: LEVELS.communication,
  uses: ["enroll", "inventory"],
  args: noArgs,
  run: (ctx) => {
    const hosts = [...ctx.inventory.values()];
    if (hosts.length === 0) return ok(text("No hosts are configured."));
    const pins = new Map(ctx.enroll.listPins().map((p) => [p.host, p]));
    return ok({
      kind: "table",
      columns: ["host", "address", "tags", "host key"],
      rows: hosts.map((h) => [h.name, h.address, h.tags.map((t) => `@${t}`).join(" "), describeHostKey(h, pins.get(h.name))]),
    });
  },
});
