// The ping benchmark's client: one /sync long-poll kept open all the time, as a person's client
// does, which hands each reply to whoever waits for it, with both events' server timestamps.

// What a waiter gets: the reply event's arrival (performance.now()) and the server's timestamps.
export interface ReplySeen {
  arrivedAt: number;
  commandTs: number;
  replyTs: number;
}

interface SyncEvent {
  event_id: string;
  origin_server_ts: number;
  content?: { "m.relates_to"?: { "m.in_reply_to"?: { event_id?: string } } };
}

// Only the rooms' timelines; lazy members, so each sync stays small.
const FILTER = JSON.stringify({ presence: { not_types: ["*"] }, account_data: { not_types: ["*"] },
  room: { timeline: { limit: 50 }, state: { lazy_load_members: true }, ephemeral: { not_types: ["*"] }, account_data: { not_types: ["*"] } } });

// Starts the long-poll loop; stop() ends it after the request in flight.
export async function startSyncClient(baseUrl: string, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  const timestamps = new Map<string, number>();
  const replies = new Map<string, { arrivedAt: number; replyTs: number }>();
  const waiters = new Map<string, (seen: ReplySeen) => void>();
  const abort = new AbortController();
  const get = async (query: string) => {
    const response = await fetch(`${baseUrl}/_matrix/client/v3/sync?filter=${encodeURIComponent(FILTER)}&${query}`, { headers, signal: abort.signal });
    if (!response.ok) throw new Error(`sync → ${response.status} ${await response.text()}`);
    return (await response.json()) as { next_batch: string; rooms?: { join?: Record<string, { timeline?: { events?: SyncEvent[] } }> } };
  };
  const settle = (commandId: string) => {
    const reply = replies.get(commandId);
    const commandTs = timestamps.get(commandId);
    const wake = waiters.get(commandId);
    if (!reply || commandTs === undefined || !wake) return;
    waiters.delete(commandId);
    wake({ arrivedAt: reply.arrivedAt, commandTs, replyTs: reply.replyTs });
  };
  let since = (await get("timeout=0")).next_batch;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const page = await get(`timeout=30000&since=${encodeURIComponent(since)}`).catch((error) => {
        if (abort.signal.aborted) return undefined;
        throw error;
      });
      if (!page) return;
      const arrivedAt = performance.now();
      since = page.next_batch;
      const touched = new Set<string>();
      for (const room of Object.values(page.rooms?.join ?? {})) {
        for (const e of room.timeline?.events ?? []) {
          timestamps.set(e.event_id, e.origin_server_ts);
          touched.add(e.event_id);
          const to = e.content?.["m.relates_to"]?.["m.in_reply_to"]?.event_id;
          if (to) (replies.set(to, { arrivedAt, replyTs: e.origin_server_ts }), touched.add(to));
        }
      }
      for (const id of touched) settle(id);
    }
  })();
  return {
    // Resolves when the reply to commandId has come down the sync (it may already have).
    waitForReply(commandId: string): Promise<ReplySeen> {
      return new Promise((resolve) => {
        waiters.set(commandId, resolve);
        settle(commandId);
      });
    },
    async stop(): Promise<void> {
      abort.abort();
      await loop.catch(() => {});
    },
    loop,
  };
}
