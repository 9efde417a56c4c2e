// The alert store finds a group by its message (event id, or outbox row not yet noted), and silence marks survive in
// SQLite so a re-render shows them. Run alone: npx vitest run test/unit/storage/silence-store.test.ts
import { describe, expect, it } from "vitest";
import { makeSink } from "../http/make-sink.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import { createSilencesPort, createViewExtras } from "../../../bot/silences-port.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { createOutboxStore } from "../../../storage/outbox-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createSilenceStore } from "../../../storage/silence-store.ts";
import pino from "pino";
import { makePayload } from "../http/make-payload.ts";

const route = { name: "ops", room: "!ops:example.org", mention: [] };
const NOW = Date.parse("2026-11-20T15:00:00Z");

function setUp() {
  const db = openDatabase(":memory:");
  const store = createAlertStore<GroupState, AlertView>(db);
  const extras = createViewExtras(db, { ops: "http://am.example:9093" });
  const sink = makeSink(db, { store, now: () => NOW, extras });
  return { db, store, sink, silences: createSilenceStore(db) };
}

describe("alert messages and their silences", () => {
  it("finds the group an event id shows, also while the alert store still names the outbox row", async () => {
    const { db, store, sink } = setUp();
    await sink.accept(route, makePayload("{}:{alertname=\"DiskFull\"}", [{ instance: "nas" }, { instance: "misato" }]));
    const [group] = store.pending();
    const outbox = createOutboxStore(db);
    const row = outbox.add({ roomId: "!ops:example.org", eventType: "m.room.message", content: {}, txnId: "t1", editsRow: null, editsEventId: null, priority: 10, createdAt: NOW });
    store.handOff(group!.id, () => ({ outboxId: row.id }));
    expect(store.findByMessage("$post")).toBeUndefined();
    outbox.markSent(row.id, "$post", NOW);
    expect(store.findByMessage("$post")?.id).toBe(group!.id);
    store.noteSent(group!.id, row.id, "$post");
    expect(store.findByMessage("$post")?.id).toBe(group!.id);
    expect(store.findByMessage("$other")).toBeUndefined();
  });

  it("renders a stored silence into the group's message, keeps it on the next notification, and drops it once expired", async () => {
    const { db, store, sink, silences } = setUp();
    const key = "{}:{alertname=\"DiskFull\"}";
    await sink.accept(route, makePayload(key, [{ instance: "nas", severity: "warning" }]));
    const [group] = store.pending();
    const port = createSilencesPort({ db, alertmanagerUrls: { ops: "http://am.example:9093" }, nudge: () => {}, log: pino({ level: "silent" }), now: () => NOW });
    expect(port.groupAt("!ops:example.org", "$nope")).toBeUndefined();
    silences.record({ silenceId: "6f1c2d3e-0a1b-4c5d-8e9f-001122334455", route: "ops", groupId: group!.id, matchers: [], createdBy: "@dan:example.org", comment: "disk swap", endsAt: NOW + 3_600_000, createdAt: NOW }, [group!.id]);
    const before = store.get(group!.id)!.revision;
    expect(store.restyle(group!.id, NOW, (g) => g.view)).toBe(false);
    await sink.accept(route, makePayload(key, [{ instance: "nas", severity: "warning" }, { instance: "misato", severity: "warning" }]));
    const texts = store.get(group!.id)!.view.blocks.map((b) => ("text" in b ? b.text : b.kind === "list" ? b.items.join("\n") : ""));
    expect(store.get(group!.id)!.revision).toBe(before + 1);
    expect(texts).toContain("🔕 Silenced by @dan:example.org until 2026-11-20 16:00 UTC (disk swap); silence 6f1c2d3e-0a1b-4c5d-8e9f-001122334455");
    expect(texts.at(-1)).toBe(`In Alertmanager: http://am.example:9093/#/alerts?silenced=true&inhibited=true&filter=${encodeURIComponent('{alertname="DiskFull"}')}`);
    expect(silences.markExpired("6f1c2d3e-0a1b-4c5d-8e9f-001122334455", NOW)).toBe(true);
    expect(silences.markExpired("6f1c2d3e-0a1b-4c5d-8e9f-001122334455", NOW)).toBe(false);
    expect(silences.activeFor(group!.id, NOW)).toEqual([]);
  });
});
