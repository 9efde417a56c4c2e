// The check watcher over a real SQLite check store and a fake clock: each transition is posted once, a restarted
// watcher does not post it again, and a repeated failure is not re-posted. Run alone:
// npx vitest run test/unit/bot/watch-checks.test.ts
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AlertPoster } from "../../../bot/alert-poster.ts";
import { startCheckWatch } from "../../../bot/watch-checks.ts";
import { parseSchedule } from "../../../runners/checks/schedule.ts";
import type { CheckSpec } from "../../../runners/checks/types.ts";
import { createCheckStore, type NewPing } from "../../../storage/check-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import type { Block } from "../../../commands/core/types.ts";

const T0 = Date.UTC(2026, 10, 24, 0, 0);
const spec: CheckSpec = { name: "tick", uuid: undefined, slug: "tick", schedule: parseSchedule("4s", "UTC"), graceMs: 6000, room: "#ops:x", hosts: [] };
const flush = () => new Promise((r) => setTimeout(r, 30));

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((s) => s()));
  stops = [];
});

function setUp() {
  const db = openDatabase(":memory:");
  const store = createCheckStore(db);
  store.ensure(["tick"], T0);
  const clock = { now: T0 };
  const posts: string[] = [];
  const poster: AlertPoster = {
    post: (_roomId: string, blocks: Block[]) => {
      posts.push(blocks.map((b) => ("text" in b ? b.text : "")).join("\n"));
      return { ref: { outboxId: posts.length }, sent: Promise.resolve(`$${posts.length}`) };
    },
    edit: () => ({ sent: Promise.resolve("$edit") }),
  };
  const watch = () => {
    const w = startCheckWatch({ store, specs: [spec], poster, resolveRoom: async () => "!ops:x", log: pino({ level: "silent" }), now: () => clock.now });
    stops.push(w.stop);
    return w;
  };
  const ping = (at: number, kind: NewPing["kind"], exit: number | null = null, body = "") =>
    store.recordPing("tick", { at, kind, exit, rid: null, method: "POST", remote: null, body: Buffer.from(body) });
  return { store, clock, posts, watch, ping };
}

describe("startCheckWatch", () => {
  it("posts down once, not again after a restart, and up again once after a ping", async () => {
    const { clock, posts, watch, ping } = setUp();
    let w = watch();
    clock.now = T0 + 9_999;
    w.nudge();
    await flush();
    expect(posts).toEqual([]);
    clock.now = T0 + 10_000;
    w.nudge();
    await flush();
    w.nudge();
    await flush();
    expect(posts).toEqual(["tick is DOWN: no successful run yet (watched since Tue 00:00 UTC; expected every 4 s, grace 6 s)"]);
    await w.stop();
    w = watch();
    await flush();
    expect(posts).toHaveLength(1);
    ping(T0 + 11_000, "start");
    ping(T0 + 14_000, "success");
    clock.now = T0 + 14_001;
    w.nudge();
    await flush();
    expect(posts.slice(1)).toEqual(["tick is up again: run took 3 s"]);
  });

  it("posts a failure once with the body's last lines, and not a second failure before a success", async () => {
    const { clock, posts, watch, ping } = setUp();
    const w = watch();
    ping(T0 + 1000, "start");
    ping(T0 + 2000, "fail", 2, "one\ntwo\n");
    clock.now = T0 + 2001;
    w.nudge();
    await flush();
    ping(T0 + 3000, "fail", 3, "three\n");
    clock.now = T0 + 3001;
    w.nudge();
    await flush();
    expect(posts).toEqual(["tick failed (exit 2) after 1 s:\none\ntwo"]);
  });

  it("after !resume, posts DOWN once more for a check that is still down, though the room heard it before the pause", async () => {
    const { store, clock, posts, watch, ping } = setUp();
    const w = watch();
    ping(T0 + 1000, "fail", 1, "boom\n");
    clock.now = T0 + 1001;
    w.nudge();
    await flush();
    expect(posts).toEqual(["tick failed (exit 1):\nboom"]);
    store.pause("tick", "@dan:x", T0 + 2000);
    clock.now = T0 + 60_000;
    w.nudge();
    await flush();
    expect(store.resume("tick", T0 + 60_000)).toBe(true);
    w.nudge();
    await flush();
    w.nudge();
    await flush();
    expect(posts).toEqual(["tick failed (exit 1):\nboom", "tick failed (exit 1):\nboom"]);
    // The new story ends as any does: the next success posts up again, once.
    ping(T0 + 61_000, "success");
    clock.now = T0 + 61_001;
    w.nudge();
    await flush();
    expect(posts.slice(2)).toEqual(["tick is up again."]);
  });
});
