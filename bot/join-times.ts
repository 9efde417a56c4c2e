// When magi joined each room: a newly joined room's sync carries its recent history, which must never run as commands.
import type { MatrixClient } from "matrix-bot-sdk";

// Looks up (and remembers) the time of magi's own latest join in a room.
export interface JoinTimes {
  joinedAt(roomId: string): Promise<number>;
  noteMembership(roomId: string, event: { type: string; state_key?: string; origin_server_ts: number; content?: { membership?: string } }): void;
}

// JoinTimes backed by magi's own m.room.member state event, fetched once per room.
export function createJoinTimes(client: MatrixClient, botUserId: string): JoinTimes {
  const cache = new Map<string, number>();
  return {
    joinedAt: async (roomId) => {
      const known = cache.get(roomId);
      if (known !== undefined) return known;
      const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(botUserId)}`;
      const event = (await client.doRequest("GET", path, { format: "event" }).catch(() => undefined)) as { origin_server_ts?: number } | undefined;
      // Unknown join time: don't block commands; the age cutoff still applies.
      const at = typeof event?.origin_server_ts === "number" ? event.origin_server_ts : 0;
      cache.set(roomId, at);
      return at;
    },
    noteMembership: (roomId, event) => {
      if (event.type === "m.room.member" && event.state_key === botUserId && event.content?.membership === "join") {
        cache.set(roomId, event.origin_server_ts);
      }
    },
  };
}
