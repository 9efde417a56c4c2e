// Which rooms magi serves and on what terms; aliases in config are resolved to room IDs at start.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Level } from "../domain/levels.ts";
import type { ReplyMsgtype } from "./build-reply.ts";

// How a configured room is served.
export interface RoomPolicy {
  maxLevel: Level;
  replyMsgtype: ReplyMsgtype;
}

// Configured rooms by the key used in config (ID or alias).
export type RoomConfig = Record<string, { max_level: Level; reply_msgtype: ReplyMsgtype }>;

// Looks up the policy of a room by ID.
export interface RoomDirectory {
  policyFor(roomId: string): RoomPolicy | undefined;
  roomIds(): string[];
}

// Resolves every configured alias once; an alias that cannot be resolved is logged and skipped, not fatal.
export async function createRoomDirectory(client: MatrixClient, rooms: RoomConfig, log: Logger): Promise<RoomDirectory> {
  const byId = new Map<string, RoomPolicy>();
  for (const [key, room] of Object.entries(rooms)) {
    let roomId = key;
    if (key.startsWith("#")) {
      try {
        roomId = await client.resolveRoom(key);
      } catch (error) {
        log.error({ alias: key, err: (error as Error).message }, "cannot resolve configured room alias; commands there are ignored");
        continue;
      }
    }
    byId.set(roomId, { maxLevel: room.max_level, replyMsgtype: room.reply_msgtype });
  }
  return { policyFor: (roomId) => byId.get(roomId), roomIds: () => [...byId.keys()] };
}
