// !audit: the most recent audit rows, for admins.
import { z } from "zod";
import { formatUtc } from "../domain/format-utc.ts";
import { LEVELS } from "../domain/levels.ts";
import { optionalArg } from "./core/args.ts";
import { defineCommand, ok, text } from "./core/types.ts";

const count = z.string().regex(/^\d{1,3}$/, "expected a number of rows from 1 to 100").transform(Number).pipe(z.number().min(1, "expected a number of rows from 1 to 100").max(100, "expected a number of rows from 1 to 100"));

// Shows the last n audit rows (default 10), newest first.
export const auditCommand = defineCommand({
  name: "audit",
  aliases: [],
  summary: "show the last n commands magi received, who sent them and what happened",
  usage: "audit [n]",
  minLevel: LEVELS.admin,
  uses: ["audit"],
  args: optionalArg(count),
  run: (ctx, n) => {
    const rows = ctx.audit.recent(n ?? 10);
    if (rows.length === 0) return ok(text("The audit log is empty."));
    return ok({
      kind: "table",
      columns: ["time (UTC)", "sender", "level", "command", "decision", "outcome"],
      rows: rows.map((r) => [
        formatUtc(r.at),
        r.sender,
        String(r.level),
        r.text.length > 60 ? `${r.text.slice(0, 59)}…` : r.text,
        r.decision,
        r.outcome ?? "",
      ]),
    });
  },
});
