// The posting loop: each group's message is handed to the poster once per change, a new episode is a new post, and
// edits target the message the group already has. Real SQLite; the poster records what it was given. Run alone:
// npx vitest run test/unit/http/post-alerts.test.ts
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AlertPoster } from "../../../bot/alert-poster.ts";
import { makeSink } from "./make-sink.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import { ALERT_HOLD, startAlertPosting } from "../../../bot/post-alerts.ts";
import { renderBlocks } from "../../../bot/render.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { waitUntil } from "../../wait-until.ts";
import { makePayload } from "./make-payload.ts";

const ROUTE = { name: "ops", room: "#ops:example.org", mention: ["@dan:example.org"] };

// The homeserver's answer to each message, resolved at once unless a test holds it back.
type Answer = (eventId: string) => Promise<string>;
const answerAtOnce: Answer = async (eventId) => eventId;

function setUp(roomReachable: () => boolean = () => true, answer: Answer = answerAtOnce, hold = ALERT_HOLD) {
  const db = openDatabase(":memory:");
  const store = createAlertStore<GroupState, AlertView>(db);
  const sent: string[] = [];
  let outboxId = 0;
  const poster: AlertPoster = {
    post: (roomId, blocks, { mentions }) => {
      outboxId++;
      sent.push(`post #${outboxId} ${roomId} [${mentions.join(",")}] ${renderBlocks(blocks).body.split("\n")[0]}`);
      return { ref: { outboxId }, sent: answer(`$event${outboxId}`) };
    },
    edit: (roomId, target, blocks) => {
      sent.push(`edit ${JSON.stringify(target)} ${roomId} ${renderBlocks(blocks).body.split("\n")[0]}`);
      return { sent: answer(`$edit${sent.length}`) };
    },
  };
  const posting = startAlertPosting({ store, poster, resolveRoom: async () => (roomReachable() ? "!ops:example.org" : undefined), log: pino({ level: "silent" }), hold });
  const sink = makeSink(db, { store, changed: posting.nudge });
  return { store, sent, posting, sink };
}

describe("alert posting loop", () => {
  it("posts a new group once, edits it by event id once sent, and posts a re-fired group anew", async () => {
    const { sent, sink, posting, store } = setUp();
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical" }]));
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical" }]));
    await waitUntil("the post", () => sent.length === 1);
    await waitUntil("the event id noted", () => store.get(1)!.messageRef === "$event1");
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical", status: "resolved", endsAt: "2026-11-20T14:12:00Z" }]));
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "critical", status: "resolved", endsAt: "2026-11-20T14:12:00Z" }]));
    await waitUntil("the edit", () => sent.length === 2);
    await sink.accept(ROUTE, makePayload("g1", [{ severity: "warning", startsAt: "2026-11-20T15:00:00Z" }]));
    await waitUntil("the new post", () => sent.length === 3);
    await posting.stop();
    expect(sent).toEqual([
      "post #1 !ops:example.org [@dan:example.org] 🔥 FIRING: DiskFull — 1 of 1 alert firing",
      'edit "$event1" !ops:example.org ✅ RESOLVED: DiskFull — fired for 10 min (2026-11-20 14:02 UTC → 2026-11-20 14:12 UTC)',
      "post #2 !ops:example.org [] 🔥 FIRING: DiskFull — 1 of 1 alert firing",
    ]);
    expect(store.pending()).toEqual([]);
  });

  it("hands a group over once per send: changes made while its message waits become one edit showing the latest", async () => {
    const held: Array<() => void> = [];
    const { sent, sink, posting, store } = setUp(() => true, (eventId) => new Promise((resolve) => held.push(() => resolve(eventId))));
    const alerts = (n: number) => Array.from({ length: n }, (_, i) => ({ instance: `host-${i}` }));
    await sink.accept(ROUTE, makePayload("g1", alerts(1)));
    await waitUntil("the post", () => sent.length === 1);
    for (let n = 2; n <= 5; n++) await sink.accept(ROUTE, makePayload("g1", alerts(n)));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
    held.shift()!();
    await waitUntil("the edit", () => sent.length === 2);
    held.shift()!();
    await new Promise((r) => setTimeout(r, 50));
    await posting.stop();
    expect(sent).toEqual([
      "post #1 !ops:example.org [] 🔥 FIRING: DiskFull — 1 of 1 alert firing",
      'edit "$event1" !ops:example.org 🔥 FIRING: DiskFull — 5 of 5 alerts firing',
    ]);
    expect(store.pending()).toEqual([]);
  });

  it("keeps a group pending while its room can't be reached, and posts it once when it can", async () => {
    let reachable = false;
    const { sent, sink, posting, store } = setUp(() => reachable);
    await sink.accept(ROUTE, makePayload("g1", [{}]));
    await new Promise((r) => setTimeout(r, 50));
    expect([sent, store.pending().length]).toEqual([[], 1]);
    reachable = true;
    posting.nudge();
    posting.nudge();
    await waitUntil("the post", () => sent.length === 1);
    await posting.stop();
    expect(sent).toHaveLength(1);
    expect(store.pending()).toEqual([]);
  });

  it("holds a burst until it pauses and posts each group's latest state once; a burst longer than the hold posts within it", async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { sent, sink, posting } = setUp(() => true, answerAtOnce, { quietMs: 60, maxMs: 400 });
    const alerts = (n: number) => Array.from({ length: n }, (_, i) => ({ instance: `host-${i}` }));
    for (let n = 1; n <= 4; n++) {
      await sink.accept(ROUTE, makePayload("g1", alerts(n)));
      await sink.accept(ROUTE, makePayload("g2", alerts(n).map((a) => ({ ...a, name: "CpuHot" }))));
      await sleep(20);
    }
    expect(sent).toEqual([]);
    await waitUntil("both posts", () => sent.length === 2);
    expect(sent).toEqual([
      "post #1 !ops:example.org [] 🔥 FIRING: DiskFull — 4 of 4 alerts firing",
      "post #2 !ops:example.org [] 🔥 FIRING: CpuHot — 4 of 4 alerts firing",
    ]);
    // Changes every 20 ms for 1 s never pause for 60 ms, yet the room hears of them every 400 ms or so.
    const started = Date.now();
    for (let n = 5; Date.now() - started < 1000; n++) {
      await sink.accept(ROUTE, makePayload("g1", alerts(n)));
      await sleep(20);
    }
    await posting.stop();
    expect(sent.length - 2).toBeGreaterThanOrEqual(2);
    expect(sent.length - 2).toBeLessThanOrEqual(4);
  });
});
