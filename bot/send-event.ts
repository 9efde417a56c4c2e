// Sends room events so that a rate limit or a dropped connection neither loses nor duplicates a message.
import { randomUUID } from "node:crypto";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";

const MAX_BACKOFF_MS = 30_000;

function isRetryable(error: unknown): { retry: boolean; waitMs?: number } {
  const e = error as { errcode?: string; statusCode?: number; retryAfterMs?: number; code?: string };
  if (e.errcode === "M_LIMIT_EXCEEDED") return { retry: true, waitMs: e.retryAfterMs };
  if (typeof e.statusCode === "number") return { retry: e.statusCode >= 500 };
  return { retry: true };
}

// The homeserver refuses an event over its size limit (Synapse: 64 KiB) with 413 M_TOO_LARGE; sending it again can't help.
function isTooLarge(error: unknown): boolean {
  const e = error as { errcode?: string; statusCode?: number };
  return e.errcode === "M_TOO_LARGE" || e.statusCode === 413;
}

// A short message standing in for one the homeserver refused as too large: same reply or edit relation, so it still answers what it was meant to.
export function replaceTooLarge(content: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(content));
  const note = `magi's message was too large for the homeserver (${size} bytes), so it was not sent; the details are in magi's log.`;
  const msgtype = typeof content.msgtype === "string" ? content.msgtype : "m.notice";
  const relates = content["m.relates_to"] ? { "m.relates_to": content["m.relates_to"] } : {};
  if (content["m.new_content"]) return { msgtype, body: `* ${note}`, "m.new_content": { msgtype, body: note }, ...relates };
  return { msgtype, body: note, ...relates, "m.mentions": {} };
}

// How long to keep retrying before giving up and logging; the bot itself keeps running.
const GIVE_UP_AFTER_MS = 15 * 60_000;

// PUTs an event with one transaction id for every attempt: the homeserver dedupes by it, so a retry after an ambiguous failure can't post twice.
export async function sendEventWithRetry(
  client: MatrixClient,
  log: Logger,
  roomId: string,
  eventType: string,
  content: Record<string, unknown>,
): Promise<string> {
  let sending = content;
  const txnId = `magi-${randomUUID()}`;
  let path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(eventType)}/${txnId}`;
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  let shrunk = false;
  let backoff = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = (await client.doRequest("PUT", path, null, sending)) as { event_id: string };
      if (attempt > 1) log.info({ roomId, txnId, attempt }, "sent after retrying");
      return response.event_id;
    } catch (error) {
      if (isTooLarge(error) && eventType === "m.room.message" && !shrunk) {
        // Dropping it would leave a command unanswered; a short note (once) says what happened instead.
        log.warn({ roomId, txnId, bytes: Buffer.byteLength(JSON.stringify(sending)), err: (error as Error).message }, "homeserver refused a message as too large; sending a short note instead");
        sending = replaceTooLarge(sending);
        shrunk = true;
        path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(eventType)}/${txnId}-short`;
        continue;
      }
      const verdict = isRetryable(error);
      if (!verdict.retry || Date.now() > deadline) throw error;
      const waitMs = verdict.waitMs ?? backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      log.warn({ roomId, txnId, attempt, waitMs, err: (error as Error).message }, "send failed; retrying with the same transaction id");
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
