// !checks, !check, !pause and !resume over a real SQLite check store, as the room reads them. Run alone:
// npx vitest run test/unit/commands/checks.test.ts
import { describe, expect, it } from "vitest";
import { createChecksPort } from "../../../bot/checks-port.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Output } from "../../../commands/core/types.ts";
import { LEVELS, type Level } from "../../../domain/levels.ts";
import { parseSchedule } from "../../../runners/checks/schedule.ts";
import type { CheckSpec } from "../../../runners/checks/types.ts";
import { createCheckStore } from "../../../storage/check-store.ts";
import { makeContext } from "./make-context.ts";

const T0 = Date.UTC(2026, 10, 24, 0, 0);
const SPECS: CheckSpec[] = [
  { name: "backup-nas", uuid: undefined, slug: "backup-nas", schedule: parseSchedule("0 2 * * *", "Europe/Berlin"), graceMs: 3_600_000, room: "!r:x", hosts: ["nas"] },
  { name: "restic-vps", uuid: undefined, slug: "restic-vps", schedule: parseSchedule("6h", "UTC"), graceMs: 1_800_000, room: "!r:x", hosts: [] },
];

function setUp(specs = SPECS) {
  const { ctx, db } = makeContext(LEVELS.deployer);
  const store = createCheckStore(db);
  store.ensure(specs.map((s) => s.name), T0);
  const checks = createChecksPort(store, specs, () => undefined);
  const run = async (text: string, now: number, level: Level = LEVELS.deployer): Promise<Output> => {
    const prepared = prepareCommand(text, { ...ctx, caller: { ...ctx.caller, level }, checks, now: () => now }, () => undefined);
    return prepared.decision === "allowed" ? (await prepared.run()).output : (prepared as { output: Output }).output;
  };
  const body = async (text: string, now: number, level?: Level) => renderBlocks((await run(text, now, level)).blocks).body;
  return { store, run, body };
}

describe("check commands", () => {
  it("lists every check with state, last ping, last run and next expected", async () => {
    const { store, body } = setUp();
    store.recordPing("backup-nas", { at: T0 + 60_000, kind: "start", exit: null, rid: null, method: "GET", remote: null, body: Buffer.alloc(0) });
    store.recordPing("backup-nas", { at: T0 + 13 * 60_000, kind: "fail", exit: 2, rid: null, method: "POST", remote: null, body: Buffer.from("borg: no space\n") });
    expect(await body("!checks", T0 + 15 * 60_000)).toBe([
      "2 checks, 1 down:",
      "```",
      "check       state          last ping  last run took  next expected",
      "backup-nas  DOWN (failed)  2 min ago  12 min         in 45 min",
      "restic-vps  new            never                     in 5 h 45 min",
      "```",
    ].join("\n"));
  });

  it("shows one check's pings and attaches the newest body as a file", async () => {
    const { store, run } = setUp();
    store.recordPing("backup-nas", { at: T0 + 60_000, kind: "fail", exit: 2, rid: null, method: "POST", remote: null, body: Buffer.from("borg: no space\n") });
    const output = await run("!check backup-nas", T0 + 120_000);
    expect(renderBlocks(output.blocks).body).toBe([
      "backup-nas: DOWN (failed). Expected daily at 02:00 Europe/Berlin, grace 1 h; next in 58 min; last ping 1 min ago. Hosts: nas.",
      "Last ping; the newest body (15 bytes, fail at 2026-11-24 00:01:00 UTC) follows as a file:",
      "```",
      "time (UTC)           ping           run took  body",
      "2026-11-24 00:01:00  fail (exit 2)            15 B",
      "```",
    ].join("\n"));
    expect(output.file).toEqual({ name: "backup-nas-fail-2026-11-24-00-01-00.log", mimetype: "text/plain", data: Buffer.from("borg: no space\n") });
  });

  it("refuses an unknown check with the nearest name, and pause/resume below level 3", async () => {
    const { body } = setUp();
    expect(await body("!check backup-nsa", T0)).toBe("unknown check backup-nsa (did you mean backup-nas?): !checks lists the checks magi watches");
    expect(await body("!pause backup-nas", T0, LEVELS.communication)).toMatch(/^!pause needs level 3/);
    expect(await body("!checks", T0)).toMatch(/backup-nas +new /);
  });

  it("pauses and resumes; the schedule counts from the resume", async () => {
    const { body } = setUp();
    expect(await body("!pause restic-vps", T0 + 1000)).toBe("⏸️ Paused restic-vps: it will not go late or down until !resume restic-vps.");
    expect(await body("!checks", T0 + 7 * 3_600_000)).toMatch(/restic-vps +paused +never +—/);
    expect(await body("!resume restic-vps", T0 + 7 * 3_600_000)).toBe("▶️ Resumed restic-vps: next run expected in 6 h.");
    expect(await body("!resume restic-vps", T0 + 7 * 3_600_000)).toBe("restic-vps is not paused.");
  });

  it("says so when no checks are configured", async () => {
    const { body } = setUp([]);
    expect(await body("!checks", T0)).toBe("No checks are configured (checks: in magi's config).");
  });
});
