// !diff <host> [ref]: what deploying a commit would change on a host (the deploy preview), without a deploy request.
import { z } from "zod";
import { LEVELS } from "../domain/levels.ts";
import { hostNameToken, refToken } from "./core/args.ts";
import { buildPreviews, describeFolded, foldPreviews } from "./core/deploy-preview.ts";
import { findHost } from "./core/host-arg.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// A host and an optional git ref.
const diffArgs = z
  .array(z.string())
  .min(1, "expected a host name and optionally a git ref")
  .max(2, "expected a host name and optionally a git ref")
  .transform((t) => ({ host: t[0]!, ...(t[1] !== undefined ? { ref: t[1] } : {}) }))
  .pipe(z.object({ host: hostNameToken, ref: refToken.optional() }));

// Builds the host's system at the ref and shows the closure diff, reboot need and unit changes.
export const diffCommand = defineCommand({
  name: "diff",
  aliases: [],
  summary: "build a host's system at a ref (default the deploy branch) and show what deploying it would change",
  usage: "diff <host> [ref]",
  minLevel: LEVELS.contributor,
  uses: ["deploys", "inventory", "jobs", "progress"],
  args: diffArgs,
  run: async (ctx, args) => {
    if (!ctx.deploys.configured) return fail("deploys are not configured (the deploy section of magi's config)");
    const host = findHost(ctx.inventory, args.host);
    if (typeof host === "string") return fail(host);
    if (!host.ssh) return fail(`${host.name} has no ssh settings (hosts.${host.name}.ssh), so magi can't read what it runs`);
    const rev = await ctx.deploys.resolve(args.ref);
    if (!rev.ok) return fail(rev.problem);
    const [preview] = await buildPreviews(ctx, [host.name], rev);
    const head = `${host.name} at ${rev.sha.slice(0, 12)} "${rev.subject}":`;
    const fold = foldPreviews([preview!], rev.sha);
    const file = fold ? { file: { name: fold.name, mimetype: "text/plain", data: Buffer.from(fold.text, "utf8") } } : {};
    return { ...(preview!.ok ? ok(text(head)) : fail(head)), blocks: [text(head), { kind: "code", text: describeFolded([preview!], ctx.prefix, fold) }], ...file };
  },
});
