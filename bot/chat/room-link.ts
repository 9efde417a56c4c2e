// Connects the chat to its one room through matrix-bot-sdk, synced from "now" (history comes from /messages instead).
import { LogLevel, LogService, MatrixClient, MemoryStorageProvider } from "matrix-bot-sdk";
import { loginWithPassword, type ChatSession } from "./chat-session.ts";
import type { RoomEvent } from "./timeline.ts";

// What the chat does with its room; close() must run before exit so a device this chat logged in is logged out again.
export interface RoomLink {
  userId: string;
  history(limit: number): Promise<RoomEvent[]>;
  follow(onEvent: (event: RoomEvent) => void): void;
  sendText(body: string): Promise<string>;
  react(eventId: string, key: string): Promise<string>;
  close(): Promise<void>;
}

// The event types worth showing as history; state events would crowd the ten lines out.
const HISTORY_TYPES = ["m.room.message", "m.reaction", "m.room.redaction", "m.room.encrypted"];

// Only this room, no presence or typing: the terminal shows one room's timeline and nothing else.
function syncFilter(roomId: string) {
  return {
    presence: { not_types: ["*"] },
    account_data: { not_types: ["*"] },
    room: {
      rooms: [roomId],
      timeline: { limit: 50 },
      state: { lazy_load_members: true },
      ephemeral: { not_types: ["*"] },
      account_data: { not_types: ["*"] },
    },
  };
}

// The SDK logs every failed request at error level, which would scribble over the chat; only a failing sync is worth a line.
function quietSdkLogs(warn: (line: string) => void): void {
  const ignore = () => {};
  LogService.setLogger({
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (module: string, ...parts: unknown[]) => {
      const text = parts.map((p) => (p instanceof Error ? p.message : String(p))).join(" ");
      if (module === "MatrixClientLite" && text.startsWith("Error handling sync")) warn(`sync failed, retrying (${text.replace("Error handling sync ", "")})`);
    },
  });
  LogService.setLevel(LogLevel.ERROR);
}

function errcode(error: unknown): string | undefined {
  return (error as { errcode?: string }).errcode;
}

async function authenticate(session: ChatSession, storage: MemoryStorageProvider): Promise<{ client: MatrixClient; userId: string; ownDevice: boolean }> {
  const url = session.homeserverUrl;
  if (session.accessToken) {
    const client = new MatrixClient(url, session.accessToken, storage);
    try {
      return { client, userId: (await client.getWhoAmI()).user_id, ownDevice: false };
    } catch (error) {
      // A restarted sandbox may have replaced the token but kept the password; fall back to it.
      if (errcode(error) !== "M_UNKNOWN_TOKEN" || session.password === undefined || !session.userId) throw error;
    }
  }
  if (!session.userId || session.password === undefined) throw new Error("no access token and no password to log in with");
  const login = await loginWithPassword(url, session.userId, session.password);
  return { client: new MatrixClient(url, login.accessToken, storage), userId: login.userId, ownDevice: true };
}

// Logs in, joins the room if needed, and takes a sync token for "now"; warn() gets problems that arise later.
export async function openRoomLink(session: ChatSession, warn: (line: string) => void): Promise<RoomLink> {
  quietSdkLogs(warn);
  const storage = new MemoryStorageProvider();
  const { client, userId, ownDevice } = await authenticate(session, storage);
  const roomId = session.roomId;
  const roomPath = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  if (!(await client.getJoinedRooms()).includes(roomId)) {
    try {
      await client.joinRoom(roomId);
    } catch (error) {
      throw new Error(`${userId} is not in ${roomId} and cannot join it (${(error as Error).message})`);
    }
  }

  // Stored where start() looks, so start() keeps our token instead of syncing from the beginning.
  const filter = syncFilter(roomId);
  const created = (await client.doRequest("POST", `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`, null, filter)) as { filter_id: string };
  // The SDK types filter ids as numbers; servers send strings, which it passes through untouched.
  storage.setFilter({ id: created.filter_id as unknown as number, filter });
  const first = (await client.doRequest("GET", "/_matrix/client/v3/sync", { filter: created.filter_id, timeout: 0 })) as { next_batch: string };
  const now = first.next_batch;
  storage.setSyncToken(now);

  return {
    userId,
    // Counting back from the sync token means history and live events meet exactly, with nothing twice or missing.
    async history(limit) {
      const qs = { dir: "b", limit, from: now, filter: JSON.stringify({ types: HISTORY_TYPES }) };
      const page = (await client.doRequest("GET", `${roomPath}/messages`, qs)) as { chunk?: RoomEvent[] };
      return (page.chunk ?? []).reverse();
    },
    follow(onEvent) {
      client.on("room.event", (eventRoomId: string, event: RoomEvent) => {
        if (eventRoomId === roomId) onEvent(event);
      });
      client.start(filter).catch((error: Error) => warn(`cannot start syncing: ${error.message}`));
    },
    sendText: (body) => client.sendMessage(roomId, { msgtype: "m.text", body }),
    react: (eventId, key) => client.sendEvent(roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } }),
    async close() {
      client.stop();
      // Each password login makes a device; logging it out keeps the demo user's device list short.
      if (ownDevice) await client.doRequest("POST", "/_matrix/client/v3/logout", null, {}, 5_000).catch(() => {});
    },
  };
}
