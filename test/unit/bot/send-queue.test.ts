import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createSendQueue, SEND_PRIORITY, type PutEvent } from "../../../bot/send-queue.ts";
import { createOutboxStore } from "../../../storage/outbox-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

type Put = { at: number; roomId: string; txnId: string; body: string; relatesTo?: string; outcome: string };

// A homeserver's send endpoint as far as the queue can tell: a leaky-bucket limiter like Synapse's rc_message,
// dedupe by transaction id, and failures to order. Matrix itself is exercised by test/e2e/rate-limit.test.ts.
function createHomeserver(opts: { perSecond?: number; burst?: number } = {}) {
  const puts: Put[] = [];
  const events = new Map<string, string>();
  const failNext: unknown[] = [];
  let level = 0;
  let levelAt = Date.now();
  let seq = 0;
  const put: PutEvent = async (roomId, _type, txnId, content) => {
    const now = Date.now();
    const relatesTo = (content["m.relates_to"] as { event_id?: string } | undefined)?.event_id;
    const record = (outcome: string) => puts.push({ at: now, roomId, txnId, body: String(content.body), ...(relatesTo ? { relatesTo } : {}), outcome });
    const failure = failNext.shift();
    if (failure) {
      record("failed");
      throw failure;
    }
    if (opts.perSecond) {
      level = Math.max(0, level - ((now - levelAt) / 1000) * opts.perSecond);
      levelAt = now;
      if (level + 1 > opts.burst!) {
        record("429");
        throw Object.assign(new Error("Too Many Requests"), { errcode: "M_LIMIT_EXCEEDED", statusCode: 429, retryAfterMs: Math.ceil(((level + 1 - opts.burst!) / opts.perSecond) * 1000) });
      }
      level += 1;
    }
    record("ok");
    if (!events.has(txnId)) events.set(txnId, `$e${++seq}`);
    return events.get(txnId)!;
  };
  return { put, puts, events, failNext };
}

const log = pino({ level: "silent" });
const text = (body: string) => ({ msgtype: "m.text", body });
const edit = (body: string) => ({ msgtype: "m.text", body: `* ${body}`, "m.new_content": text(body) });

describe("send queue", () => {
  it("keeps order within a room and lets replies go before alerts of other rooms", async () => {
    const hs = createHomeserver();
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    const sent = [
      queue.enqueue({ roomId: "!a", content: text("alert a"), priority: SEND_PRIORITY.alert }).sent,
      queue.enqueue({ roomId: "!b", content: text("reply b1") }).sent,
      queue.enqueue({ roomId: "!a", content: text("reply a") }).sent,
      queue.enqueue({ roomId: "!b", content: text("reply b2") }).sent,
    ];
    queue.start();
    await Promise.all(sent);
    await queue.stop();
    expect(hs.puts.map((p) => p.body)).toEqual(["reply b1", "reply b2", "alert a", "reply a"]);
  });

  it("waits out a 429 before any other send and retries with the same transaction id", async () => {
    const hs = createHomeserver();
    hs.failNext.push(Object.assign(new Error("Too Many Requests"), { errcode: "M_LIMIT_EXCEEDED", statusCode: 429, retryAfterMs: 300 }));
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    queue.start();
    const first = queue.enqueue({ roomId: "!a", content: text("one") }).sent;
    const other = queue.enqueue({ roomId: "!b", content: text("two") }).sent;
    expect(await first).toBe("$e1");
    expect(await other).toBe("$e2");
    await queue.stop();
    expect(hs.puts.map((p) => [p.body, p.outcome])).toEqual([["one", "failed"], ["one", "ok"], ["two", "ok"]]);
    expect(hs.puts[1]!.txnId).toBe(hs.puts[0]!.txnId);
    expect(hs.puts[1]!.at - hs.puts[0]!.at).toBeGreaterThanOrEqual(300);
    expect(queue.stats()).toEqual({ puts: 3, rateLimited: 1, sent: 2 });
  });

  it("posts once when a send failed ambiguously and was retried with the same transaction id", async () => {
    const hs = createHomeserver();
    hs.failNext.push(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    queue.start();
    expect(await queue.enqueue({ roomId: "!a", content: text("once") }).sent).toBe("$e1");
    await queue.stop();
    expect(hs.puts.map((p) => p.outcome)).toEqual(["failed", "ok"]);
    expect(new Set(hs.puts.map((p) => p.txnId)).size).toBe(1);
    expect(hs.events.size).toBe(1);
  });

  it("paces a burst under a leaky-bucket limit: every message sent, in order, with few refusals", async () => {
    const hs = createHomeserver({ perSecond: 20, burst: 3 });
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    queue.start();
    const bodies = Array.from({ length: 24 }, (_, i) => `reply ${i}`);
    await Promise.all(bodies.map((b) => queue.enqueue({ roomId: "!a", content: text(b) }).sent));
    await queue.stop();
    expect(hs.puts.filter((p) => p.outcome === "ok").map((p) => p.body)).toEqual(bodies);
    // Waiting only for retry_after_ms after each refusal would cost about two PUTs per message here.
    expect(hs.puts.length / bodies.length).toBeLessThanOrEqual(1.2);
  });

  it("sends only the newest of several waiting edits of a message, once the message itself is sent", async () => {
    const hs = createHomeserver();
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    const message = queue.enqueue({ roomId: "!a", content: text("job 1 queued") });
    const edits = ["running", "line 1", "line 2", "succeeded"].map((s) => queue.enqueue({ roomId: "!a", content: edit(s), edits: { outboxId: message.outboxId } }).sent);
    queue.start();
    const eventId = await message.sent;
    expect(await Promise.all(edits)).toEqual(["$e2", "$e2", "$e2", "$e2"]);
    await queue.stop();
    expect(hs.puts.map((p) => [p.body, p.relatesTo])).toEqual([["job 1 queued", undefined], ["* succeeded", eventId]]);
  });

  it("coalesces waiting edits of a message known by event id, and fills in the relation", async () => {
    const hs = createHomeserver();
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    const first = queue.enqueue({ roomId: "!a", content: edit("Waiting for 1 approval."), edits: "$prompt" }).sent;
    queue.enqueue({ roomId: "!b", content: edit("other message"), edits: "$other" });
    const last = queue.enqueue({ roomId: "!a", content: edit("Running it now."), edits: "$prompt" }).sent;
    queue.start();
    expect(await first).toBe(await last);
    await queue.stop();
    expect(hs.puts.map((p) => [p.body, p.relatesTo])).toEqual([["* other message", "$other"], ["* Running it now.", "$prompt"]]);
  });

  it("sends what a killed run left in the outbox after a restart, in order and under the same transaction ids", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "magi-outbox-")), "magi.sqlite");
    const refusing: PutEvent = async () => {
      throw Object.assign(new Error("Too Many Requests"), { errcode: "M_LIMIT_EXCEEDED", statusCode: 429, retryAfterMs: 60_000 });
    };
    const first = createSendQueue({ store: createOutboxStore(openDatabase(db)), put: refusing, log });
    first.start();
    const reply = first.enqueue({ roomId: "!a", content: text("pong") });
    first.enqueue({ roomId: "!a", content: edit("pong, edited"), edits: { outboxId: reply.outboxId } });
    first.enqueue({ roomId: "!b", content: text("other room") });
    await first.stop();
    const txnIds = createOutboxStore(openDatabase(db)).pending().map((r) => r.txnId);
    expect(txnIds).toHaveLength(3);

    const hs = createHomeserver();
    const second = createSendQueue({ store: createOutboxStore(openDatabase(db)), put: hs.put, log });
    second.start();
    await expect.poll(() => hs.puts.length).toBe(3);
    await second.stop();
    expect(hs.puts.map((p) => [p.body, p.relatesTo])).toEqual([["pong", undefined], ["* pong, edited", "$e1"], ["other room", undefined]]);
    expect(hs.puts.map((p) => p.txnId)).toEqual(txnIds);
    expect(createOutboxStore(openDatabase(db)).pending()).toEqual([]);
  });

  it("replaces a message refused as too large with a short note, and gives up only on a message the homeserver refuses for good", async () => {
    const hs = createHomeserver();
    hs.failNext.push(Object.assign(new Error("Event too large"), { errcode: "M_TOO_LARGE", statusCode: 413 }));
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: hs.put, log });
    queue.start();
    const huge = queue.enqueue({ roomId: "!a", content: text("x".repeat(70_000)) }).sent;
    expect(await huge).toBe("$e1");
    hs.failNext.push(Object.assign(new Error("User not in room"), { errcode: "M_FORBIDDEN", statusCode: 403 }));
    await expect(queue.enqueue({ roomId: "!gone", content: text("lost cause") }).sent).rejects.toThrow("User not in room");
    expect(await queue.enqueue({ roomId: "!a", content: text("next") }).sent).toBe("$e2");
    await queue.stop();
    expect(hs.puts.map((p) => [p.body.slice(0, 60), p.outcome])).toEqual([
      ["x".repeat(60), "failed"],
      ["magi's message was too large for the homeserver (70030 bytes", "ok"],
      ["lost cause", "failed"],
      ["next", "ok"],
    ]);
  });
});
