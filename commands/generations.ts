// !generations <host>: the host's NixOS generations with dates and revisions, newest first.
import { findHost, oneHostArgs } from "./core/host-arg.ts";
import { defineCommand, fail, ok } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Lists generations, read on the host itself (nixos-rebuild list-generations --json).
export const generationsCommand = defineCommand({
  name: "generations",
  aliases: ["gens"],
  summary: "list a host's NixOS generations with dates and revisions",
  usage: "generations <host>",
  minLevel: LEVELS.communication,
  uses: ["deploys", "inventory"],
  args: oneHostArgs,
  run: async (ctx, name) => {
    const host = findHost(ctx.inventory, name);
    if (typeof host === "string") return fail(host);
    if (!host.ssh) return fail(`${name} has no ssh settings (hosts.${name}.ssh)`);
    const listed = await ctx.deploys.generations(name);
    if (!listed.ok) return fail(`cannot list generations of ${name}: ${listed.problem}`);
    const rows = [...listed.generations]
      .sort((a, b) => b.generation - a.generation)
      .map((g) => [`${g.generation}${g.current ? " (current)" : ""}`, g.date, g.nixosVersion, g.configurationRevision || "—", g.kernelVersion]);
    return ok({ kind: "table", columns: ["generation", "built", "NixOS", "revision", "kernel"], rows });
  },
});
