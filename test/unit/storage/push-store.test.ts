// The push store's deploy claim (mode deploy), on real SQLite: a push's deploy is pending until its message has an
// event id, is claimed once, and a replayed delivery stores nothing. Run alone: npx vitest run test/unit/storage/push-store.test.ts
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../storage/open-database.ts";
import { createPushStore } from "../../../storage/push-store.ts";

const SHA = "3d5e8f0a9b7c".padEnd(40, "0");
const push = (delivery: string) => ({
  route: "lab", delivery, room: "!ops:example.org", branch: "main", sha: SHA, kind: "proposal", hosts: ["misato"], view: {}, receivedAt: 1,
  deployHosts: ["kaji", "asuka"], deployAs: "@ci:example.org",
});

describe("push store deploys", () => {
  it("offers a deploy once its message has an event id, claims it once, and ignores a replay", () => {
    const db = openDatabase(":memory:");
    const store = createPushStore<Record<string, never>>(db);
    const { id } = store.record(push("d-1"))!;
    expect(store.pendingDeploys().map((p) => [p.id, p.deployHosts, p.deployAs, p.messageEventId])).toEqual([[id, ["kaji", "asuka"], "@ci:example.org", null]]);
    store.handOff(id, () => "$message");
    expect(store.pendingDeploys().map((p) => p.messageEventId)).toEqual(["$message"]);
    expect(store.claimDeploy(id, 5)).toBe(true);
    expect(store.claimDeploy(id, 6)).toBe(false);
    expect(store.pendingDeploys()).toEqual([]);
    expect(store.get(id)).toMatchObject({ deployStartedAt: 5, hosts: ["misato"] });
    expect(store.record(push("d-1"))).toBeUndefined();
    // A push without deploy hosts has nothing to claim.
    const other = store.record({ ...push("d-2"), deployHosts: [], deployAs: null })!;
    expect(store.claimDeploy(other.id, 7)).toBe(false);
    db.close();
  });
});
