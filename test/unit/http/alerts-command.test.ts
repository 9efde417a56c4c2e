// !alerts lists what Alertmanager has firing now, from the stored alert groups. Run alone:
// npx vitest run test/unit/http/alerts-command.test.ts
import { describe, expect, it } from "vitest";
import { makeSink } from "./make-sink.ts";
import { createAlertsPort } from "../../../bot/alerts-port.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import { LEVELS, type Level } from "../../../domain/levels.ts";
import { makeContext } from "../commands/make-context.ts";
import { makePayload } from "./make-payload.ts";

const ROUTE = { name: "ops", room: "!ops:example.org", mention: [] };
const NOW = Date.parse("2026-11-20T14:32:00Z");

async function runAlerts(level: Level, fill: (sink: ReturnType<typeof makeSink>) => Promise<void>): Promise<string> {
  const { ctx, db } = makeContext(level);
  await fill(makeSink(db));
  const prepared = prepareCommand("!alerts", { ...ctx, alerts: createAlertsPort(db), now: () => NOW }, () => undefined);
  const output = prepared.decision === "allowed" ? (await prepared.run()).output : "output" in prepared ? prepared.output : undefined;
  return renderBlocks(output?.blocks ?? []).body;
}

describe("!alerts", () => {
  it("lists firing alerts by group with how long they have fired; resolved ones are left out", async () => {
    const body = await runAlerts(LEVELS.communication, async (sink) => {
      await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical" }, { instance: "misato", fingerprint: "m", status: "resolved", endsAt: "2026-11-20T14:10:00Z" }]));
      await sink.accept(ROUTE, makePayload("g2", [{ name: "BackupMissing", instance: "nas", startsAt: "2026-11-20T14:30:00Z" }]));
      await sink.accept(ROUTE, makePayload("g3", [{ name: "NodeDown", status: "resolved", endsAt: "2026-11-20T14:12:00Z" }]));
    });
    expect(body).toBe([
      "2 alerts firing in 2 groups:",
      "```",
      "group               alert                 severity  firing for",
      "ops: DiskFull       DiskFull on nas       critical  30 min",
      "ops: BackupMissing  BackupMissing on nas            2 min",
      "```",
    ].join("\n"));
  });

  it("says when nothing is firing, and is refused below level 1", async () => {
    expect(await runAlerts(LEVELS.communication, async () => undefined)).toBe("Nothing is firing.");
    expect(await runAlerts(LEVELS.unknown, async () => undefined)).toMatch(/needs level 1/);
  });
});
