// Who someone is in a room, decided in one place: the room's policy (configured, or an admin's direct chat) caps their level.
import { capLevel } from "../commands/core/access.ts";
import type { Caller } from "../commands/core/types.ts";
import { isAdmin, MAX_LEVEL, type Level } from "../domain/levels.ts";
import type { RoomDirectory, RoomPolicy } from "./room-directory.ts";

// What the room check needs.
export interface RoomAccessDeps {
  rooms: RoomDirectory;
  adminDms: boolean;
  resolveLevel(userId: string): Level;
  isDirectRoom(roomId: string): Promise<boolean>;
}

// The policy of a room magi serves for this sender, and the caller as that room sees them.
export interface RoomAccess {
  // How the room is served for this sender; undefined when magi does not serve it (to them).
  policyIn(roomId: string, sender: string): Promise<RoomPolicy | undefined>;
  // The caller with their level capped by that policy; undefined when the room is not served.
  callerIn(roomId: string, userId: string): Promise<Caller | undefined>;
  // The caller under a policy already looked up.
  callerUnder(policy: RoomPolicy, userId: string): Caller;
  // A voter's level in a room that has a prompt (so it is served): capped by the configured policy, if any.
  levelIn(roomId: string, userId: string): Level;
}

// Creates the one room check every path (chat, approvals) uses.
export function createRoomAccess(deps: RoomAccessDeps): RoomAccess {
  const policyIn = async (roomId: string, sender: string): Promise<RoomPolicy | undefined> => {
    const configured = deps.rooms.policyFor(roomId);
    if (configured) return configured;
    // Only an admin's own direct chat: the room is theirs, so it caps nothing.
    if (deps.adminDms && isAdmin(deps.resolveLevel(sender)) && (await deps.isDirectRoom(roomId))) return { maxLevel: MAX_LEVEL, replyMsgtype: "m.text" };
    return undefined;
  };
  const callerUnder = (policy: RoomPolicy, userId: string): Caller => ({ userId, level: capLevel(deps.resolveLevel(userId), policy.maxLevel) });
  return {
    policyIn,
    callerUnder,
    callerIn: async (roomId, userId) => {
      const policy = await policyIn(roomId, userId);
      return policy ? callerUnder(policy, userId) : undefined;
    },
    levelIn: (roomId, userId) => capLevel(deps.resolveLevel(userId), deps.rooms.policyFor(roomId)?.maxLevel ?? MAX_LEVEL),
  };
}
