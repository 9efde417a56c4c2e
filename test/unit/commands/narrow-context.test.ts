import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import { pingCommand } from "../../../commands/ping.ts";
import { statusCommand } from "../../../commands/status.ts";
import { defineCommand, ok, text, type BaseContext, type ContextOf } from "../../../commands/core/types.ts";
import { noArgs } from "../../../commands/core/args.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import { makeContext } from "./make-context.ts";

const base: BaseContext = { caller: { userId: "@dan:example.org", level: 1 }, roomId: "!room:example.org", prefix: "!", now: () => 0 };
const blocksOf = async (output: ReturnType<typeof pingCommand.run>) => (await output).blocks;

describe("a command runs with only what it declares", () => {
  it("!ping needs nothing beyond who asks and where", async () => {
    expect(pingCommand.uses).toEqual([]);
    expect(await blocksOf(pingCommand.run(base as never, undefined))).toEqual([text("pong")]);
  });

  it("!status needs only the inventory and the status port", async () => {
    const nas: HostEntry = { name: "nas", address: "10.0.0.20", tags: [] };
    const ctx: ContextOf<"inventory" | "status"> = { ...base, inventory: new Map([["nas", nas]]), status: { collect: async (hosts) => hosts.map((h) => ({ host: h.name, reach: "no-ssh" as const })) } };
    const output = await statusCommand.run(ctx as never, "nas");
    expect(output.ok).toBe(true);
    expect(output.blocks[0]).toEqual(text("nas: no ssh configured — magi has no SSH settings for it, so it cannot check it"));
  });

  it("gets from the dispatcher exactly the base and what it declared, nothing else", async () => {
    let seen: string[] = [];
    const probe = defineCommand({
      name: "probe", aliases: [], summary: "", usage: "probe", minLevel: 0, uses: ["locks"], args: noArgs,
      run: (ctx) => ((seen = Object.keys(ctx).sort()), ok(text("done"))),
    });
    const { ctx } = makeContext(4, {});
    const prepared = prepareCommand("!probe", { ...ctx, commands: [probe] }, () => {});
    if (prepared.decision !== "allowed") throw new Error(prepared.decision);
    expect((await prepared.run()).output.blocks).toEqual([text("done")]);
    expect(seen).toEqual(["caller", "locks", "now", "prefix", "roomId"]);
  });
});
