// A minimal Matrix client for tests, over raw HTTP: it types commands as people (or bridged Slack ghosts) do and reads what arrives.
import { randomUUID } from "node:crypto";

// A Matrix event as read back from /messages.
export interface TimelineEvent {
  type: string;
  sender: string;
  event_id: string;
  origin_server_ts: number;
  content: Record<string, any>;
}

// One user; for a ghost, asUserId makes requests on its behalf with the appservice token.
export class TestUser {
  constructor(
    readonly baseUrl: string,
    readonly userId: string,
    private readonly token: string,
    private readonly asUserId?: string,
  ) {}

  // Calls the client-server API; throws with the errcode on failure.
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${this.baseUrl}/_matrix/client/v3${path}${this.asUserId ? `${sep}user_id=${encodeURIComponent(this.asUserId)}` : ""}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  // Creates a room, inviting the given users.
  async createRoom(invite: string[] = []): Promise<string> {
    return (await this.call<{ room_id: string }>("POST", "/createRoom", { preset: "private_chat", invite })).room_id;
  }

  async join(roomId: string): Promise<void> {
    await this.call("POST", `/join/${encodeURIComponent(roomId)}`, {});
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.call("POST", `/rooms/${encodeURIComponent(roomId)}/invite`, { user_id: userId });
  }

  // Sends any event and returns its id.
  async sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${randomUUID()}`;
    return (await this.call<{ event_id: string }>("PUT", path, content)).event_id;
  }

  // Sends a plain text message, as Element does.
  say(roomId: string, body: string, extra: Record<string, unknown> = {}): Promise<string> {
    return this.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body, ...extra });
  }

  // Reacts to an event with an emoji (m.annotation), as clients do.
  react(roomId: string, eventId: string, key: string): Promise<string> {
    return this.sendEvent(roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });
  }

  // Edits an earlier message (m.replace), as clients and the Slack bridge do.
  edit(roomId: string, eventId: string, body: string): Promise<string> {
    return this.sendEvent(roomId, "m.room.message", {
      msgtype: "m.text",
      body: `* ${body}`,
      "m.new_content": { msgtype: "m.text", body },
      "m.relates_to": { rel_type: "m.replace", event_id: eventId },
    });
  }

  async setDisplayName(name: string): Promise<void> {
    await this.call("PUT", `/profile/${encodeURIComponent(this.userId)}/displayname`, { displayname: name });
  }

  // The room's latest events, oldest first.
  async timeline(roomId: string, limit = 100): Promise<TimelineEvent[]> {
    const page = await this.call<{ chunk: TimelineEvent[] }>("GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=${limit}`);
    return page.chunk.reverse();
  }

  // Waits until an event matching predicate is in the room: one already there, or one that arrives while
  // this long-polls /sync (filtered to the room), so a test learns of it as a client would, without polling.
  // Throws after timeoutMs with the messages seen.
  async waitFor(roomId: string, predicate: (e: TimelineEvent) => boolean, timeoutMs = 15_000): Promise<TimelineEvent> {
    const deadline = Date.now() + timeoutMs;
    const filter = encodeURIComponent(JSON.stringify({
      presence: { types: [] },
      account_data: { types: [] },
      room: { rooms: [roomId], state: { types: [] }, ephemeral: { types: [] }, account_data: { types: [] }, timeline: { limit: 50 } },
    }));
    type SyncPage = { next_batch: string; rooms?: { join?: Record<string, { timeline?: { events?: TimelineEvent[]; limited?: boolean } }> } };
    // The position is taken before looking at the timeline, so nothing that arrives in between is missed.
    let since = (await this.call<SyncPage>("GET", `/sync?timeout=0&filter=${filter}`)).next_batch;
    let found = (await this.timeline(roomId)).find(predicate);
    while (!found) {
      const wait = Math.min(10_000, deadline - Date.now());
      if (wait <= 0) {
        const seen = (await this.timeline(roomId)).filter((e) => e.type === "m.room.message").map((e) => `${e.sender}: ${e.content.body}`);
        throw new Error(`timed out waiting for an event; messages seen:\n${seen.join("\n")}`);
      }
      const page = await this.call<SyncPage>("GET", `/sync?timeout=${wait}&since=${encodeURIComponent(since)}&filter=${filter}`);
      since = page.next_batch;
      const timeline = page.rooms?.join?.[roomId]?.timeline;
      // A limited timeline skipped events; the room's history has them.
      found = timeline?.limited ? (await this.timeline(roomId)).find(predicate) : timeline?.events?.find(predicate);
    }
    return found;
  }

  // Waits for magi's reply to a command event and returns it.
  waitForReply(roomId: string, commandEventId: string, timeoutMs?: number): Promise<TimelineEvent> {
    return this.waitFor(roomId, (e) => e.type === "m.room.message" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandEventId, timeoutMs);
  }

  // Downloads an mxc:// upload (authenticated media).
  async download(mxc: string): Promise<Buffer> {
    const [server, mediaId] = mxc.slice("mxc://".length).split("/");
    const response = await fetch(`${this.baseUrl}/_matrix/client/v1/media/download/${server}/${mediaId}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new Error(`download ${mxc} → ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  // Every reply to a command event seen so far.
  async repliesTo(roomId: string, commandEventId: string): Promise<TimelineEvent[]> {
    return (await this.timeline(roomId)).filter((e) => e.type === "m.room.message" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandEventId);
  }
}
