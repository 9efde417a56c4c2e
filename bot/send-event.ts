// The one way magi sends a room event: through its homeserver's send queue, so a rate limit or a dropped connection
// neither loses, duplicates nor floods, and the message is stored before it is sent.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import { createOutboxStore, type OutboxStore } from "../storage/outbox-store.ts";
import { openDatabase } from "../storage/open-database.ts";
import { createSendQueue, type PutEvent, type SendQueue } from "./send-queue.ts";

const queues = new WeakMap<MatrixClient, SendQueue>();

// PUTs one event with a caller-chosen transaction id; the homeserver dedupes by it, so a retry can't post twice.
export function createPutEvent(client: MatrixClient): PutEvent {
  return async (roomId, eventType, txnId, content) => {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(eventType)}/${encodeURIComponent(txnId)}`;
    return ((await client.doRequest("PUT", path, null, content)) as { event_id: string }).event_id;
  };
}

// Makes queue the one every send through client goes by (the bot's durable, outbox-backed queue).
export function useSendQueue(client: MatrixClient, queue: SendQueue): void {
  queues.set(client, queue);
}

// The client's queue; a client nobody gave one (a tool or a test) gets a queue over an in-memory outbox.
export function sendQueueOf(client: MatrixClient, log: Logger): SendQueue {
  let queue = queues.get(client);
  if (!queue) {
    queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), put: createPutEvent(client), log });
    queue.start();
    queues.set(client, queue);
  }
  return queue;
}

// Sends an event through the client's queue and resolves with its event id once the homeserver has it.
export function sendEventWithRetry(client: MatrixClient, log: Logger, roomId: string, eventType: string, content: Record<string, unknown>): Promise<string> {
  return sendQueueOf(client, log).enqueue({ roomId, eventType, content }).sent;
}

// Starts the bot's durable queue over the outbox table and makes it the client's: unsent rows from a previous run go first.
export function startSendQueue(client: MatrixClient, store: OutboxStore, log: Logger, metrics?: MetricsPort): SendQueue {
  const queue = createSendQueue({ store, put: createPutEvent(client), log, ...(metrics ? { metrics } : {}) });
  useSendQueue(client, queue);
  queue.start();
  return queue;
}
