// !status: how hosts are doing. Several hosts get one compact row each; one host gets every fact.
import { LEVELS } from "../domain/levels.ts";
import { ALL_HOSTS } from "../domain/names.ts";
import { selectHosts } from "../runners/inventory.ts";
import { describeDetail, describeRow, describeTally, ROW_COLUMNS } from "../runners/status/index.ts";
import { optionalArg, selectorToken } from "./core/args.ts";
import { defineCommand, fail, ok, text, type Block } from "./core/types.ts";

// Collects status over SSH; the selector is checked against the inventory before anything runs.
export const statusCommand = defineCommand({
  name: "status",
  aliases: [],
  summary: "host health: reachable, uptime, load, NixOS generation, reboot pending, failed units, disks, ZFS, checks",
  usage: "status [host|@tag|a,b|all]",
  minLevel: LEVELS.communication,
  uses: ["inventory", "status"],
  args: optionalArg(selectorToken),
  run: async (ctx, selector) => {
    if (ctx.inventory.size === 0) return ok(text("No hosts are configured."));
    const picked = selectHosts(ctx.inventory, selector ?? ALL_HOSTS);
    if ("problem" in picked) return fail(picked.problem);
    const hosts = picked.hosts.flatMap((name) => ctx.inventory.get(name) ?? []);
    const started = ctx.now();
    const statuses = await ctx.status.collect(hosts);
    const [only] = statuses;
    if (statuses.length === 1 && only) {
      const detail = describeDetail(only);
      const blocks: Block[] = [text(detail.headline)];
      if (detail.items.length > 0) blocks.push({ kind: "list", items: detail.items });
      return ok(...blocks);
    }
    return ok(text(describeTally(statuses, ctx.now() - started)), { kind: "table", columns: ROW_COLUMNS, rows: statuses.map(describeRow) });
  },
});
