// Accepted notifications wait in the intake table and are applied to their groups once a burst pauses: one update per
// group however many notifications it brought, each still counted, and what a stopped magi left is applied by the
// next. Real SQLite files. Run alone: npx vitest run test/unit/http/alert-intake.test.ts
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { renderBlocks } from "../../../bot/render.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { makeTestDir } from "../../temp-dir.ts";
import { waitUntil } from "../../wait-until.ts";
import { makePayload } from "./make-payload.ts";
import { makeSink } from "./make-sink.ts";

const ROUTE = { name: "ops", room: "!ops:example.org", mention: [] };
// Long enough that nothing is applied until the test says so (settle) or the burst has been sent.
const HOLD = { quietMs: 50, maxMs: 60_000 };

function openFile() {
  const dir = makeTestDir("magi-intake");
  return join(dir, "magi.sqlite");
}

// The counters a sink's applying moves, and the log lines it writes.
function recorder() {
  const counted: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const log = { info: (fields: Record<string, unknown>, msg: string) => lines.push({ ...fields, msg }), error: (fields: Record<string, unknown>, msg: string) => lines.push({ ...fields, msg, level: "error" }) };
  return { counted, lines, log: log as never, metrics: { countAlertNotification: (route: string, changed: boolean) => void counted.push(`${route} ${changed ? "changed" : "unchanged"}`) } };
}

const intakeRows = (db: ReturnType<typeof openDatabase>) => (db.prepare("SELECT count(*) AS n FROM alert_intake").get() as { n: number }).n;
const alerts = (n: number) => Array.from({ length: n }, (_, i) => ({ instance: `host-${i}`, fingerprint: `f${i}` }));

describe("the alert intake", () => {
  it("answers a burst before applying it, then applies each group once with every notification counted", async () => {
    const db = openDatabase(openFile());
    const store = createAlertStore<GroupState, AlertView>(db);
    const seen = recorder();
    let wakes = 0;
    const sink = makeSink(db, { store, hold: HOLD, changed: () => wakes++, log: seen.log, metrics: seen.metrics });
    // g1 grows to three alerts, then Alertmanager resends the same; g2 fires once.
    await Promise.all([1, 2, 3, 3].map((n) => sink.accept(ROUTE, makePayload("g1", alerts(n)))).concat(sink.accept(ROUTE, makePayload("g2", [{ name: "CpuHot" }]))));
    // Every request was answered with its notification stored, and none applied yet.
    expect(intakeRows(db)).toBe(5);
    expect(store.pending()).toEqual([]);
    await waitUntil("the burst to be applied", () => intakeRows(db) === 0);
    const groups = store.pending();
    expect(groups.map((g) => [g.groupKey, g.revision, renderBlocks(g.view.blocks).body.split("\n")[0]])).toEqual([
      ["g1", 1, "🔥 FIRING: DiskFull — 3 of 3 alerts firing"],
      ["g2", 1, "🔥 FIRING: CpuHot — 1 of 1 alert firing"],
    ]);
    expect(wakes).toBe(1);
    expect(seen.counted.sort()).toEqual(["ops changed", "ops changed", "ops changed", "ops changed", "ops unchanged"]);
    expect(seen.lines.map((l) => [l.groupKey, l.notifications, l.unchanged, l.changed])).toEqual([["g1", 4, 1, true], ["g2", 1, 0, true]]);
    sink.stop();
  });

  it("gives a group that resolves and fires again within one burst a second episode, so the room sees both", async () => {
    const db = openDatabase(openFile());
    const store = createAlertStore<GroupState, AlertView>(db);
    const sink = makeSink(db, { store, hold: HOLD });
    await sink.accept(ROUTE, makePayload("g1", [{}]));
    await sink.accept(ROUTE, makePayload("g1", [{ status: "resolved", endsAt: "2026-11-20T14:12:00Z" }]));
    await sink.accept(ROUTE, makePayload("g1", [{ startsAt: "2026-11-20T15:00:00Z" }]));
    sink.settle();
    expect(store.pending().map((g) => [g.resolved, renderBlocks(g.view.blocks).body.split("\n")[0]])).toEqual([
      [true, "✅ RESOLVED: DiskFull — fired for 10 min (2026-11-20 14:02 UTC → 2026-11-20 14:12 UTC)"],
      [false, "🔥 FIRING: DiskFull — 1 of 1 alert firing"],
    ]);
    expect(intakeRows(db)).toBe(0);
    sink.stop();
  });

  it("tries again a second later when the database was busy at the moment it applied, without waiting for another notification", async () => {
    const path = openFile();
    const db = openDatabase(path);
    db.pragma("busy_timeout = 10");
    const store = createAlertStore<GroupState, AlertView>(db);
    const seen = recorder();
    const sink = makeSink(db, { store, hold: { quietMs: 20, maxMs: 1000 }, log: seen.log });
    await sink.accept(ROUTE, makePayload("g1", [{}]));
    // Another process holds the write lock while the hold ends.
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    await waitUntil("the applying to fail", () => seen.lines.some((l) => l.level === "error"));
    expect(seen.lines.map((l) => l.msg)).toEqual(["could not apply accepted Alertmanager notifications; trying again in 1 s"]);
    other.exec("COMMIT");
    other.close();
    await waitUntil("the retry to apply it", () => intakeRows(db) === 0, { timeoutMs: 5000 });
    expect(store.pending().map((g) => g.groupKey)).toEqual(["g1"]);
    sink.stop();
  });

  it("applies what a stopped magi accepted but never applied, and drops a notification whose route is gone or that no longer parses", async () => {
    const path = openFile();
    const first = openDatabase(path);
    const before = makeSink(first, { hold: HOLD });
    await before.accept(ROUTE, makePayload("g1", alerts(2)));
    await before.accept({ name: "gone", room: "!gone:example.org", mention: [] }, makePayload("g9", [{}]));
    // A row damaged on disk must not hold up the others.
    first.prepare("INSERT INTO alert_intake (route, payload, received_at) VALUES ('ops', 'not json', 1)").run();
    // Stopped (as if killed) with all three stored and unapplied.
    before.stop();
    first.close();

    const db = openDatabase(path);
    const store = createAlertStore<GroupState, AlertView>(db);
    const seen = recorder();
    let wakes = 0;
    makeSink(db, { store, routeOf: (name) => (name === "ops" ? ROUTE : undefined), log: seen.log, changed: () => wakes++ });
    expect(store.pending().map((g) => [g.route, g.groupKey, g.room])).toEqual([["ops", "g1", "!ops:example.org"]]);
    expect(wakes).toBe(1);
    expect(intakeRows(db)).toBe(0);
    expect(seen.lines.map((l) => [l.msg, l.route, l.revived ?? null])).toEqual([
      ["a stored Alertmanager notification's route is no longer configured; dropped", "gone", null],
      ["a stored Alertmanager notification no longer reads as one; dropped", "ops", null],
      ["alert notifications applied", "ops", 1],
    ]);
  });
});
