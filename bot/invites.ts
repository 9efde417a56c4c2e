// Accepts invites only from configured users into configured rooms (or, if enabled, admins' DMs); everything else is declined.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { isAdmin, type Level } from "../domain/levels.ts";
import { retryRequest } from "./retry-request.ts";
import type { RoomDirectory } from "./room-directory.ts";

// The sync loop waits for this handler, so a homeserver that keeps failing must not hold it for long; a 429's wait is seconds.
const GIVE_UP_AFTER_MS = 2 * 60_000;

// What the invite handler needs.
export interface InviteDeps {
  client: MatrixClient;
  rooms: RoomDirectory;
  adminDms: boolean;
  resolveLevel(userId: string): Level;
  log: Logger;
}

// Decides on one invite: join a served room, or leave (decline) it.
export function createInviteHandler(deps: InviteDeps) {
  return async (roomId: string, inviteEvent: { sender: string; content?: { is_direct?: boolean } }): Promise<void> => {
    const inviter = inviteEvent.sender;
    const level = deps.resolveLevel(inviter);
    const configured = deps.rooms.policyFor(roomId) !== undefined && level >= 1;
    const adminDm = deps.adminDms && isAdmin(level) && inviteEvent.content?.is_direct === true;
    // Declines and joins go through the rate-limit retry: a dropped decline would leave magi invited for good.
    const leave = () => retryRequest(deps.log, { roomId, request: "leave" }, () => deps.client.leaveRoom(roomId), GIVE_UP_AFTER_MS);
    try {
      if (!configured && !adminDm) {
        deps.log.warn({ roomId, inviter }, "declining invite: not a configured room, or the inviter is not a configured user");
        await leave();
        return;
      }
      await retryRequest(deps.log, { roomId, request: "join" }, () => deps.client.joinRoom(roomId), GIVE_UP_AFTER_MS);
      deps.log.info({ roomId, inviter, dm: adminDm }, "joined room on invite");
      if (await isEncrypted(deps.client, roomId)) {
        deps.log.error({ roomId }, "room uses end-to-end encryption, which this build of magi does not support; leaving it");
        await leave();
      }
    } catch (error) {
      deps.log.warn({ roomId, inviter, err: (error as Error).message }, "could not act on invite");
    }
  };
}

// True when the room has m.room.encryption state; magi can't read such rooms.
export async function isEncrypted(client: MatrixClient, roomId: string): Promise<boolean> {
  try {
    await client.getRoomStateEvent(roomId, "m.room.encryption", "");
    return true;
  } catch {
    return false;
  }
}
