// Prepares the sync: a stored filter, and on a first start a sync token that skips room history, so old commands never run.
import type { MatrixClient } from "matrix-bot-sdk";
import type { IStorageProvider } from "matrix-bot-sdk";
import type { Logger } from "pino";

// Enough timeline per room to catch up on a few minutes of downtime; presence and typing are noise to a bot.
export const SYNC_FILTER = {
  presence: { not_types: ["*"] },
  room: {
    timeline: { limit: 50 },
    ephemeral: { not_types: ["*"] },
    state: { lazy_load_members: true },
  },
};

type InviteHandler = (roomId: string, event: { sender: string; content?: { is_direct?: boolean } }) => Promise<void>;

// Stores the filter where matrix-bot-sdk looks for it (so it never resets the token), and on a first start takes a token without history; pending invites from that first sync are handled here because they won't come again.
export async function bootstrapSync(client: MatrixClient, storage: IStorageProvider, onInvite: InviteHandler, log: Logger): Promise<void> {
  const stored = await Promise.resolve(storage.getFilter());
  if (!stored || JSON.stringify(stored.filter) !== JSON.stringify(SYNC_FILTER)) {
    const userId = await client.getUserId();
    const created = (await client.doRequest("POST", `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`, null, SYNC_FILTER)) as { filter_id: string };
    // The SDK types the id as a number, but servers return a string and the SDK passes it through untouched.
    await Promise.resolve(storage.setFilter({ id: created.filter_id as unknown as number, filter: SYNC_FILTER }));
  }
  if (await Promise.resolve(storage.getSyncToken())) return;
  log.info("first start: skipping room history so nothing old is run");
  const first = (await client.doRequest("GET", "/_matrix/client/v3/sync", { timeout: 0, filter: JSON.stringify({ room: { timeline: { limit: 1 } } }) })) as {
    next_batch: string;
    rooms?: { invite?: Record<string, { invite_state?: { events?: { type: string; state_key?: string; sender: string; content?: Record<string, unknown> }[] } }> };
  };
  const userId = await client.getUserId();
  for (const [roomId, room] of Object.entries(first.rooms?.invite ?? {})) {
    const member = room.invite_state?.events?.find((e) => e.type === "m.room.member" && e.state_key === userId);
    if (member) await onInvite(roomId, member);
  }
  await Promise.resolve(storage.setSyncToken(first.next_batch));
}
