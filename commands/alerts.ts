// !alerts: what Alertmanager says is firing now, by group, with how long each alert has fired.
import { noArgs } from "./core/args.ts";
import { defineCommand, ok, text } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";
import { formatDuration } from "../runners/jobs/format-duration.ts";

// Lists firing alerts as a table: group, alert and instance, severity, firing for.
export const alertsCommand = defineCommand({
  name: "alerts",
  aliases: [],
  summary: "list the alerts firing now, by group, with how long they have fired",
  usage: "alerts",
  minLevel: LEVELS.communication,
  uses: ["alerts"],
  args: noArgs,
  run: (ctx) => {
    const groups = ctx.alerts.firing();
    if (groups.length === 0) return ok(text("Nothing is firing."));
    const now = ctx.now();
    const rows = groups.flatMap((g) =>
      g.alerts.map((a) => [`${g.route}: ${g.name}`, a.instance ? `${a.alertname} on ${a.instance}` : a.alertname, a.severity ?? "", formatDuration(now - a.since)]));
    const count = rows.length;
    return ok(text(`${count} alert${count === 1 ? "" : "s"} firing in ${groups.length} group${groups.length === 1 ? "" : "s"}:`), { kind: "table", columns: ["group", "alert", "severity", "firing for"], rows });
  },
});
