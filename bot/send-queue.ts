// One send queue per homeserver: messages leave the stored outbox one at a time, in order per room, paced by the
// homeserver's rate limit, each with one transaction id for all its attempts; a message still wanted is never given up.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { NO_METRICS, type MetricsPort } from "../domain/metrics-port.ts";
import type { OutboxRow, OutboxStore } from "../storage/outbox-store.ts";
import { readRetry } from "./retry-request.ts";
import { createSendPace } from "./send-pace.ts";
import { isTooLarge, replaceTooLarge } from "./too-large.ts";

// Lower goes first among rooms; within a room, order is kept whatever the priority. Alerts will queue behind replies.
export const SEND_PRIORITY = { reply: 0, alert: 10 } as const;

// A message to edit: its event id, or the outbox row of a message that may not be sent yet.
export type MessageRef = string | { outboxId: number };

// One message to send; edits is set for an m.replace edit, whose relation the queue fills in (once the target is sent).
export interface QueuedSend {
  roomId: string;
  content: Record<string, unknown>;
  eventType?: string;
  edits?: MessageRef;
  priority?: number;
}

// PUTs one event with the given transaction id and resolves with its event id.
export type PutEvent = (roomId: string, eventType: string, txnId: string, content: Record<string, unknown>) => Promise<string>;

// What the queue has done since start, for logs and the burst benchmark.
export interface SendStats {
  puts: number;
  rateLimited: number;
  sent: number;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
// A 429 without retry_after_ms still means "slow down".
const DEFAULT_RETRY_AFTER_MS = 1_000;

// How long sent rows are kept, for edits that refer to a message by its outbox row.
const KEEP_SENT_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY = 1000;

type Waiter = { resolve(eventId: string): void; reject(error: Error): void };

// Creates a queue over the outbox; start() picks up rows a previous run left unsent.
export function createSendQueue(deps: { store: OutboxStore; put: PutEvent; log: Logger; now?: () => number; metrics?: MetricsPort }) {
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? NO_METRICS;
  const pace = createSendPace();
  const stats: SendStats = { puts: 0, rateLimited: 0, sent: 0 };
  let pending: OutboxRow[] = [];
  const waiters = new Map<number, Waiter[]>();
  let inFlight: number | undefined;
  let running = false;
  let wake: (() => void) | undefined;
  let backoff = FIRST_BACKOFF_MS;
  let retryAt = 0;
  let loop: Promise<void> | undefined;

  const nudge = () => wake?.();
  // An idle queue must not keep a process alive; one with messages waiting on a rate limit must.
  const sleep = (ms: number, idle: boolean) => new Promise<void>((r) => {
    const timer = setTimeout(() => ((wake = undefined), r()), ms);
    if (idle) timer.unref();
    wake = () => ((wake = undefined), clearTimeout(timer), r());
  });

  // The first pending row of each room is eligible; among them the lowest priority number, then the oldest.
  function pickNext(): OutboxRow | undefined {
    const heads = new Map<string, OutboxRow>();
    for (const row of pending) if (!heads.has(row.roomId)) heads.set(row.roomId, row);
    return [...heads.values()].sort((a, b) => a.priority - b.priority || a.id - b.id)[0];
  }

  function settle(row: OutboxRow, outcome: { eventId: string } | { error: Error }): void {
    pending = pending.filter((r) => r.id !== row.id);
    for (const w of waiters.get(row.id) ?? []) "eventId" in outcome ? w.resolve(outcome.eventId) : w.reject(outcome.error);
    waiters.delete(row.id);
  }

  function fail(row: OutboxRow, why: string): void {
    deps.store.markFailed(row.id, why, now());
    deps.log.error({ outboxId: row.id, roomId: row.roomId, txnId: row.txnId, err: why }, "homeserver refused a message for good; it is not retried");
    settle(row, { error: new Error(why) });
  }

  // Fills in the m.replace relation; a target named by outbox row was sent earlier in the same room's line.
  function contentOf(row: OutboxRow): Record<string, unknown> | string {
    if (row.editsRow === null && row.editsEventId === null) return row.content;
    const eventId = row.editsEventId ?? deps.store.get(row.editsRow!)?.eventId;
    if (!eventId) return `the message it edits (outbox row ${row.editsRow}) was never sent`;
    return { ...row.content, "m.relates_to": { rel_type: "m.replace", event_id: eventId } };
  }

  async function attempt(row: OutboxRow): Promise<void> {
    const content = contentOf(row);
    if (typeof content === "string") return fail(row, content);
    deps.store.countAttempt(row.id);
    stats.puts++;
    inFlight = row.id;
    // The homeserver counts a send when the request arrives, so pacing runs on request start times.
    const startedAt = now();
    try {
      const eventId = await deps.put(row.roomId, row.eventType, row.txnId, content);
      pace.sent(startedAt);
      backoff = FIRST_BACKOFF_MS;
      deps.store.markSent(row.id, eventId, now());
      stats.sent++;
      deps.log.debug({ outboxId: row.id, roomId: row.roomId, eventId, ...stats }, "sent");
      // A magi that runs for months would otherwise keep every message it ever sent.
      if (stats.sent % PRUNE_EVERY === 0) deps.store.pruneBefore(now() - KEEP_SENT_MS);
      settle(row, { eventId });
    } catch (error) {
      const err = error as Error;
      const verdict = readRetry(error);
      metrics.countSendFailure(verdict.rateLimited ? "rate_limited" : isTooLarge(error) ? "too_large" : verdict.retry ? "retried" : "refused");
      if (verdict.rateLimited) {
        stats.rateLimited++;
        const waitMs = verdict.waitMs ?? DEFAULT_RETRY_AFTER_MS;
        pace.limited(startedAt, waitMs);
        deps.log.info({ outboxId: row.id, waitMs, intervalMs: pace.intervalMs(), queued: pending.length, ...stats }, "homeserver rate limit: the send queue waits");
      } else if (isTooLarge(error) && !row.txnId.endsWith("-short")) {
        // Dropping it would leave a command unanswered; a short note (once, under its own transaction id) says what happened instead.
        deps.log.warn({ outboxId: row.id, bytes: Buffer.byteLength(JSON.stringify(content)), err: err.message }, "homeserver refused a message as too large; sending a short note instead");
        Object.assign(row, { content: replaceTooLarge(content), txnId: `${row.txnId}-short`, editsRow: null });
        deps.store.replaceContent(row.id, row.content, row.txnId);
      } else if (verdict.retry) {
        retryAt = now() + backoff;
        deps.log.warn({ outboxId: row.id, txnId: row.txnId, waitMs: backoff, err: err.message }, "send failed; retrying with the same transaction id");
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } else {
        fail(row, err.message);
      }
    } finally {
      inFlight = undefined;
    }
  }

  async function run(): Promise<void> {
    while (running) {
      const row = pickNext();
      const waitMs = row ? Math.max(pace.waitMs(now()), retryAt - now()) : 60_000;
      // Look again after waiting: a reply queued meanwhile may go before an alert.
      if (!row || waitMs > 0) await sleep(waitMs, !row);
      else await attempt(row);
    }
  }

  return {
    // Stores the message, then sends it in turn; sent resolves with its event id, superseded edits with the newer edit's.
    enqueue(send: QueuedSend): { outboxId: number; sent: Promise<string> } {
      const edits = send.edits;
      const row = deps.store.add({
        roomId: send.roomId, eventType: send.eventType ?? "m.room.message", content: send.content, txnId: `magi-${randomUUID()}`,
        editsRow: typeof edits === "object" ? edits.outboxId : null, editsEventId: typeof edits === "string" ? edits : null,
        priority: send.priority ?? SEND_PRIORITY.reply, createdAt: now(),
      });
      const sent = new Promise<string>((resolve, reject) => waiters.set(row.id, [{ resolve, reject }]));
      // Callers that only need the message stored (edits) may never look at the outcome; the failure is logged either way.
      sent.catch(() => undefined);
      // An edit already on the wire keeps going; the ones still waiting are replaced by this newer one.
      for (const id of deps.store.supersedeEdits(row, inFlight === undefined ? [] : [inFlight])) {
        pending = pending.filter((r) => r.id !== id);
        waiters.set(row.id, [...(waiters.get(row.id) ?? []), ...(waiters.get(id) ?? [])]);
        waiters.delete(id);
      }
      pending.push(row);
      nudge();
      return { outboxId: row.id, sent };
    },
    // Loads what a previous run left unsent and starts sending.
    start(): void {
      if (running) return;
      const known = new Set(pending.map((r) => r.id));
      const left = deps.store.pending().filter((r) => !known.has(r.id));
      deps.store.pruneBefore(now() - KEEP_SENT_MS);
      if (left.length > 0) deps.log.info({ count: left.length }, "sending messages a previous run left in the outbox");
      pending = [...left, ...pending].sort((a, b) => a.id - b.id);
      running = true;
      loop = run();
    },
    // Stops after the request under way; unsent rows stay in the outbox for the next start.
    async stop(): Promise<void> {
      running = false;
      nudge();
      await loop;
      deps.log.info({ ...stats, unsent: pending.length }, "send queue stopped; unsent messages stay in the outbox for the next start");
    },
    stats: (): SendStats => ({ ...stats }),
  };
}

// The queue's type.
export type SendQueue = ReturnType<typeof createSendQueue>;
