import { describe, expect, it } from "vitest";
import { createOutboxStore } from "../../../storage/outbox-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const DAY = 24 * 3600_000;
const message = (roomId: string, createdAt: number, edits: { editsRow?: number; editsEventId?: string } = {}) => ({
  roomId, eventType: "m.room.message", content: { msgtype: "m.text", body: `at ${createdAt}` }, txnId: `magi-${roomId}-${createdAt}`,
  editsRow: edits.editsRow ?? null, editsEventId: edits.editsEventId ?? null, priority: 0, createdAt,
});

describe("outbox store", () => {
  it("prunes old sent rows but keeps unsent ones and messages a waiting edit still needs", () => {
    const store = createOutboxStore(openDatabase(":memory:"));
    const old = store.add(message("!a", 1 * DAY));
    const edited = store.add(message("!a", 2 * DAY));
    const unsent = store.add(message("!a", 3 * DAY));
    store.add(message("!a", 20 * DAY, { editsRow: edited.id }));
    store.markSent(old.id, "$old", 1 * DAY);
    store.markSent(edited.id, "$edited", 2 * DAY);
    expect(store.pruneBefore(10 * DAY)).toBe(1);
    expect(store.get(old.id)).toBeUndefined();
    expect(store.get(edited.id)?.eventId).toBe("$edited");
    expect(store.get(unsent.id)?.state).toBe("pending");
  });

  it("supersedes only older waiting edits of the same message", () => {
    const store = createOutboxStore(openDatabase(":memory:"));
    const a1 = store.add(message("!a", 1, { editsEventId: "$m" }));
    const other = store.add(message("!a", 2, { editsEventId: "$n" }));
    const a2 = store.add(message("!a", 3, { editsEventId: "$m" }));
    const a3 = store.add(message("!a", 4, { editsEventId: "$m" }));
    expect(store.supersedeEdits(a3, [a1.id])).toEqual([a2.id]);
    expect(store.pending().map((r) => r.id)).toEqual([a1.id, other.id, a3.id]);
  });
});
