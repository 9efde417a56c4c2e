// Learns the homeserver's message rate from its 429s, so the send queue waits before a send instead of being refused.
// Synapse's limiter is a leaky bucket: a burst passes, then one message per 1/rate. Waiting only for retry_after_ms
// after each refusal costs two PUTs per message; spacing sends by the learned interval costs about one.

// Extra wait over what the homeserver says: it rounds retry_after_ms down, and a request reaches it a little after it starts.
const MARGIN_MS = 50;
// After this long without a send the bucket has (partly) refilled, so magi stops spacing and uses the burst again.
const FORGET_AFTER_MS = 30_000;

// The pacing state of one homeserver's queue.
export interface SendPace {
  // How long to wait before the next send.
  waitMs(now: number): number;
  // A send that started at startedAt was accepted.
  sent(startedAt: number): void;
  // A send that started at startedAt was refused with 429; the homeserver asked for retryAfterMs from then.
  limited(startedAt: number, retryAfterMs: number): void;
  intervalMs(): number;
}

// Creates the pacing state; no spacing until the first 429.
export function createSendPace(): SendPace {
  let interval = 0;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let notBefore = 0;
  return {
    waitMs: (now) => {
      if (now - lastSentAt > Math.max(FORGET_AFTER_MS, interval * 2)) interval = 0;
      return Math.max(0, notBefore - now, lastSentAt + interval - now);
    },
    sent: (startedAt) => {
      lastSentAt = startedAt;
    },
    limited: (startedAt, retryAfterMs) => {
      const allowedAt = startedAt + retryAfterMs + MARGIN_MS;
      notBefore = Math.max(notBefore, allowedAt);
      // The gap the homeserver wants between the last accepted send and the next one.
      if (startedAt - lastSentAt < FORGET_AFTER_MS) interval = Math.max(interval, allowedAt - lastSentAt);
    },
    intervalMs: () => interval,
  };
}
