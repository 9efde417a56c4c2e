// Tells whether a room is a direct chat (magi and one other person), for admins' DMs.
import type { MatrixClient } from "matrix-bot-sdk";

const CACHE_MS = 60_000;

// A cached check: a room is direct when exactly two users are joined and magi is one of them.
export function createDirectRoomCheck(client: MatrixClient, botUserId: string): (roomId: string) => Promise<boolean> {
  const cache = new Map<string, { direct: boolean; at: number }>();
  return async (roomId) => {
    const hit = cache.get(roomId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.direct;
    const members = await client.getJoinedRoomMembers(roomId).catch(() => [] as string[]);
    const direct = members.length === 2 && members.includes(botUserId);
    cache.set(roomId, { direct, at: Date.now() });
    return direct;
  };
}
