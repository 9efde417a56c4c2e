// The check store over real SQLite: pings kept per check, the run they end, and pause/resume. Run alone:
// npx vitest run test/unit/storage/check-store.test.ts
import { describe, expect, it } from "vitest";
import { createCheckStore, PINGS_KEPT } from "../../../storage/check-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const T0 = Date.UTC(2026, 10, 24);
const ping = (at: number, kind: "start" | "success" | "fail" | "log", rid: string | null = null) =>
  ({ at, kind, exit: null, rid, method: "GET", remote: "127.0.0.1", body: Buffer.from(`ping at ${at}`) });

describe("check store", () => {
  it(`keeps the newest ${PINGS_KEPT} pings of each check and no more`, () => {
    const store = createCheckStore(openDatabase(":memory:"));
    store.ensure(["a", "b"], T0);
    for (let i = 0; i < PINGS_KEPT + 5; i++) store.recordPing("a", ping(T0 + i, "log"));
    store.recordPing("b", ping(T0, "log"));
    const kept = store.recentPings("a", 1000);
    expect([kept.length, kept[0]!.at, kept.at(-1)!.at]).toEqual([PINGS_KEPT, T0 + PINGS_KEPT + 4, T0 + 5]);
    expect(store.recentPings("b", 1000)).toHaveLength(1);
  });

  it("measures a finish from the start with its rid, stored in the same transaction as the ping", () => {
    const store = createCheckStore(openDatabase(":memory:"));
    store.ensure(["a"], T0);
    store.recordPing("a", ping(T0, "start", "r1"));
    store.recordPing("a", ping(T0 + 500, "start", "r2"));
    expect(store.recordPing("a", ping(T0 + 2000, "success", "r1")).durationMs).toBe(2000);
    expect(store.get("a")).toMatchObject({ lastSuccessAt: T0 + 2000, lastDurationMs: 2000, startedAt: T0 + 500, startedRid: "r2" });
    expect(store.lastBody("a")).toEqual({ at: T0 + 2000, kind: "success", body: Buffer.from(`ping at ${T0 + 2000}`) });
  });

  it("pauses once and resumes once, noting when", () => {
    const store = createCheckStore(openDatabase(":memory:"));
    store.ensure(["a"], T0);
    expect([store.pause("a", "@dan:x", T0 + 1), store.pause("a", "@dan:x", T0 + 2)]).toEqual([true, false]);
    expect(store.get("a")).toMatchObject({ pausedAt: T0 + 1 });
    expect([store.resume("a", T0 + 3), store.resume("a", T0 + 4)]).toEqual([true, false]);
    expect(store.get("a")).toMatchObject({ pausedAt: null, resumedAt: T0 + 3 });
  });
});
