// How notifications become one message per group: what it reads, and when it must change. Run alone: npx vitest run test/unit/http/alert-groups.test.ts
import { describe, expect, it } from "vitest";
import { makeSink } from "./make-sink.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { makePayload } from "./make-payload.ts";

const ROUTE = { name: "ops", room: "!ops:example.org", mention: ["@dan:example.org"] };

function setUp() {
  const db = openDatabase(":memory:");
  const store = createAlertStore<GroupState, AlertView>(db);
  let wakes = 0;
  const sink = makeSink(db, { store, now: () => 1000, changed: () => wakes++ });
  // Whether accepting payload woke the poster: the room's message must change.
  const changes = async (payload: ReturnType<typeof makePayload>) => {
    const before = wakes;
    await sink.accept(ROUTE, payload);
    return wakes > before;
  };
  const rows = () => store.pending().concat(store.open()).filter((g, i, all) => all.findIndex((o) => o.id === g.id) === i);
  const bodyOf = (id: number) => renderBlocks(store.get(id)!.view.blocks).body;
  return { store, sink, rows, bodyOf, changes };
}

describe("alert group messages", () => {
  it("lists a firing group's alerts one per line with severity, instance, summary, start and source link", async () => {
    const { sink, store, bodyOf } = setUp();
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical" }, { name: "DiskFull", instance: "misato", severity: "warning", fingerprint: "b", startsAt: "2026-11-20T14:05:00Z" }]));
    const [group] = store.pending();
    expect(bodyOf(group!.id)).toBe([
      "🔥 FIRING: DiskFull — 2 of 2 alerts firing",
      "• 🔴 [critical] DiskFull on nas — Disk almost full — since 2026-11-20 14:02 UTC — http://prometheus.example/graph?g0.expr=up",
      "• 🟠 [warning] DiskFull on misato — Disk almost full — since 2026-11-20 14:05 UTC — http://prometheus.example/graph?g0.expr=up",
    ].join("\n"));
    expect(group!.view.mentions).toEqual(["@dan:example.org"]);
  });

  it("changes only when the message would: a resend is nothing, a resolve is an edit, a duplicate resolve nothing, a re-fire a new episode", async () => {
    const { changes, store, bodyOf } = setUp();
    expect(await changes(makePayload("g1", [{ severity: "warning" }]))).toBe(true);
    const first = store.pending()[0]!;
    expect(first.view.mentions).toEqual([]);
    expect(await changes(makePayload("g1", [{ severity: "warning" }]))).toBe(false);
    expect(store.get(first.id)!.revision).toBe(1);

    const resolved = makePayload("g1", [{ severity: "warning", status: "resolved", endsAt: "2026-11-20T14:14:30Z" }]);
    expect(await changes(resolved)).toBe(true);
    expect(store.get(first.id)!.revision).toBe(2);
    expect(bodyOf(first.id)).toBe([
      "✅ RESOLVED: DiskFull — fired for 12 min 30 s (2026-11-20 14:02 UTC → 2026-11-20 14:14 UTC)",
      "• ✅ DiskFull on nas — Disk almost full — resolved after 12 min 30 s",
    ].join("\n"));
    expect(await changes(resolved)).toBe(false);

    expect(await changes(makePayload("g1", [{ severity: "warning", startsAt: "2026-11-20T15:00:00Z" }]))).toBe(true);
    const episodes = store.pending().map((g) => g.id);
    expect(episodes).toHaveLength(2);
    expect(episodes[1]).not.toBe(first.id);
    expect(bodyOf(episodes[1]!)).toContain("🔥 FIRING: DiskFull — 1 of 1 alert firing");
  });

  it("keeps alerts Alertmanager stops sending after their resolve, so the group resolves when the last one does", async () => {
    const { sink, store, bodyOf } = setUp();
    await sink.accept(ROUTE, makePayload("g1", [{ fingerprint: "a" }, { fingerprint: "b", instance: "misato" }]));
    await sink.accept(ROUTE, makePayload("g1", [{ fingerprint: "a", status: "resolved", endsAt: "2026-11-20T14:10:00Z" }, { fingerprint: "b", instance: "misato" }]));
    const id = store.open()[0]!.id;
    expect(bodyOf(id)).toContain("🔥 FIRING: DiskFull — 1 of 2 alerts firing");
    await sink.accept(ROUTE, makePayload("g1", [{ fingerprint: "b", instance: "misato", status: "resolved", endsAt: "2026-11-20T14:20:00Z" }]));
    expect(store.open()).toEqual([]);
    expect(bodyOf(id).split("\n")[0]).toBe("✅ RESOLVED: DiskFull — fired for 18 min (2026-11-20 14:02 UTC → 2026-11-20 14:20 UTC)");
  });

  it("keeps different groups and routes apart", async () => {
    const { sink, store } = setUp();
    await sink.accept(ROUTE, makePayload("g1", [{}]));
    await sink.accept(ROUTE, makePayload("g2", [{ name: "BackupMissing" }]));
    await sink.accept({ ...ROUTE, name: "dev" }, makePayload("g1", [{}]));
    expect(store.pending().map((g) => `${g.route}/${g.groupKey}`)).toEqual(["ops/g1", "ops/g2", "dev/g1"]);
  });
});
