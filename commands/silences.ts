// !silences: the active silences of every configured Alertmanager, and those magi holds for scheduled checks, soonest
// to end first.
import { LEVELS } from "../domain/levels.ts";
import { formatMatcher } from "../domain/matchers.ts";
import { formatUtc } from "../domain/format-utc.ts";
import { noArgs } from "./core/args.ts";
import { defineCommand, fail, ok, text, type Block } from "./core/types.ts";

// Lists active silences as a table: id, what they match, until when, by whom, why.
export const silencesCommand = defineCommand({
  name: "silences",
  aliases: [],
  summary: "list the active silences (Alertmanager's and magi's own for scheduled checks)",
  usage: "silences",
  minLevel: LEVELS.communication,
  uses: ["silences"],
  args: noArgs,
  run: async (ctx) => {
    const listings = await ctx.silences.listActive();
    if (listings.length === 0) return fail("No alert route has an Alertmanager URL, so magi knows no silences: set alerts.routes.<name>.alertmanager_url. (magi holds none of its own for scheduled checks either.)");
    const named = listings.length > 1;
    const blocks: Block[] = [];
    const rows: string[][] = [];
    for (const listing of listings) {
      if (!listing.ok) {
        blocks.push(text(named ? `${listing.route}: ${listing.message}` : listing.message));
        continue;
      }
      for (const s of listing.silences) {
        rows.push([...(named ? [listing.route] : []), s.id, s.matchers.map(formatMatcher).join(", "), `${formatUtc(s.endsAt, "minutes")} UTC`, s.createdBy, s.comment]);
      }
    }
    const failed = blocks.length;
    if (rows.length === 0 && failed === listings.length) return { ok: false, blocks };
    const head = rows.length === 0 ? "No active silences." : `${rows.length} active silence${rows.length === 1 ? "" : "s"}:`;
    const table: Block[] = rows.length === 0 ? [] : [{ kind: "table", columns: [...(named ? ["route"] : []), "id", "matchers", "until", "by", "comment"], rows }];
    return ok(text(head), ...table, ...blocks);
  },
});
