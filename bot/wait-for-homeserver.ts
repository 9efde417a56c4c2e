// Waits for the homeserver at start: unreachable means retry with backoff, a rejected token means stop.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";

// Resolves with the user ID the token belongs to; throws only if the homeserver rejects the token.
export async function waitForHomeserver(client: MatrixClient, log: Logger, signal?: AbortSignal): Promise<string> {
  let delay = 1000;
  for (;;) {
    try {
      return (await client.getWhoAmI()).user_id;
    } catch (error) {
      const e = error as { errcode?: string; statusCode?: number; message?: string };
      if (e.errcode === "M_UNKNOWN_TOKEN" || e.statusCode === 401) throw new Error("the homeserver rejected magi's access token (M_UNKNOWN_TOKEN)");
      if (signal?.aborted) throw new Error("stopped while waiting for the homeserver");
      log.warn({ err: e.message, retryInMs: delay }, "homeserver unreachable; retrying");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
