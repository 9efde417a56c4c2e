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
  const txnId = `magi-${randomUUID()}`;
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(eventType)}/${txnId}`;
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  let backoff = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = (await client.doRequest("PUT", path, null, content)) as { event_id: string };
      if (attempt > 1) log.info({ roomId, txnId, attempt }, "sent after retrying");
      return response.event_id;
    } catch (error) {
      const verdict = isRetryable(error);
      if (!verdict.retry || Date.now() > deadline) throw error;
      const waitMs = verdict.waitMs ?? backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      log.warn({ roomId, txnId, attempt, waitMs, err: (error as Error).message }, "send failed; retrying with the same transaction id");
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
