// Whether a room lets a user redact other people's events (a moderator), read from the room's state.
// matrix-bot-sdk's userHasPowerLevelForAction misses room version 12, where creators outrank every power level
// and are not listed in m.room.power_levels (MSC4289), so the room's creator would count as powerless.
import type { MatrixClient } from "matrix-bot-sdk";

// The two state events the decision needs, as the client-server API returns them.
export interface PowerState {
  create?: { sender: string; content: { room_version?: string; additional_creators?: unknown } };
  powerLevels?: { content: { users?: Record<string, unknown>; users_default?: unknown; redact?: unknown } };
}

// Room versions in which creators have unlimited power: 12 and later, and the Hydra test versions.
function creatorsAreSupreme(version: string | undefined): boolean {
  if (version === undefined) return false;
  if (version.startsWith("org.matrix.hydra")) return true;
  return /^\d+$/.test(version) && Number(version) >= 12;
}

const numberOr = (value: unknown, fallback: number) => (Number.isInteger(value) ? (value as number) : fallback);

// Decides from room state whether userId's redactions of other people's events take effect.
export function mayRedactOthersIn(state: PowerState, userId: string): boolean {
  const create = state.create;
  const creators = create ? [create.sender, ...(Array.isArray(create.content.additional_creators) ? create.content.additional_creators : [])] : [];
  if (creatorsAreSupreme(create?.content.room_version) && creators.includes(userId)) return true;
  // Without a power levels event the creator has 100 and everyone else 0.
  if (!state.powerLevels) return creators.includes(userId);
  const { users, users_default, redact } = state.powerLevels.content;
  return numberOr(users?.[userId], numberOr(users_default, 0)) >= numberOr(redact, 50);
}

// Reads the room's state and decides; throws if the state can't be read.
export async function checkMayRedactOthers(client: MatrixClient, roomId: string, userId: string): Promise<boolean> {
  const events = (await client.getRoomState(roomId)) as ({ type: string; state_key?: string } & Record<string, unknown>)[];
  const find = (type: string) => events.find((e) => e.type === type && e.state_key === "");
  return mayRedactOthersIn({ create: find("m.room.create") as PowerState["create"], powerLevels: find("m.room.power_levels") as PowerState["powerLevels"] }, userId);
}
