// Retries one homeserver request through rate limits, server errors and dropped connections; a 429 waits retry_after_ms.
import type { Logger } from "pino";

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

// Whether a failed request may succeed if tried again, whether it was a rate limit, and how long the homeserver asked us to wait.
export function readRetry(error: unknown): { retry: boolean; rateLimited: boolean; waitMs?: number } {
  const e = error as { errcode?: string; statusCode?: number; retryAfterMs?: number };
  if (e.errcode === "M_LIMIT_EXCEEDED" || e.statusCode === 429) return { retry: true, rateLimited: true, waitMs: e.retryAfterMs };
  if (typeof e.statusCode === "number") return { retry: e.statusCode >= 500, rateLimited: false };
  return { retry: true, rateLimited: false };
}

// Runs request until it succeeds, fails for good (4xx other than 429), or giveUpAfterMs has passed; then it throws the last error.
export async function retryRequest<T>(log: Logger, what: Record<string, unknown>, request: () => Promise<T>, giveUpAfterMs: number): Promise<T> {
  const deadline = Date.now() + giveUpAfterMs;
  let backoff = FIRST_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await request();
      if (attempt > 1) log.info({ ...what, attempt }, "request succeeded after retrying");
      return result;
    } catch (error) {
      const verdict = readRetry(error);
      if (!verdict.retry || Date.now() > deadline) throw error;
      const waitMs = verdict.waitMs ?? backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      log.warn({ ...what, attempt, waitMs, err: (error as Error).message }, "request failed; retrying");
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
