// !recipients [host]: which secrets files each host (each .sops.yaml recipient) can decrypt, from .sops.yaml and the
// files' own sops metadata, and where the two disagree. Reads the flake only; nothing is decrypted or changed.
import { LEVELS } from "../domain/levels.ts";
import { hostNameToken, optionalArg } from "./core/args.ts";
import { findHost } from "./core/host-arg.ts";
import { describeAllRecipients, describeHostRecipients } from "./core/recipients-view.ts";
import { defineCommand, fail, ok, type Output } from "./core/types.ts";

// Shows every recipient's files, or one host's.
export const recipientsCommand = defineCommand({
  name: "recipients",
  aliases: [],
  summary: "show which secrets files each host can decrypt (from .sops.yaml and the files' sops metadata), and what is not re-encrypted yet",
  usage: "recipients [host]",
  minLevel: LEVELS.contributor,
  uses: ["enroll", "inventory"],
  args: optionalArg(hostNameToken),
  run: async (ctx, host): Promise<Output> => {
    if (host !== undefined) {
      const found = findHost(ctx.inventory, host);
      if (typeof found === "string") return fail(found);
    }
    if (ctx.enroll.unavailable) return fail(ctx.enroll.unavailable);
    const report = await ctx.enroll.listRecipients();
    if ("problem" in report) return fail(report.problem);
    return { ok: true, blocks: host === undefined ? describeAllRecipients(report) : describeHostRecipients(report, host) };
  },
});
