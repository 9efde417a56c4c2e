// Decides whether a room event is a command magi should consider, without any I/O.
import { stripReplyFallback } from "./strip-reply-fallback.ts";

// The parts of a Matrix room event magi reads.
export interface RoomEvent {
  type: string;
  sender: string;
  event_id: string;
  origin_server_ts: number;
  state_key?: string;
  content?: Record<string, any>;
  unsigned?: { age?: number };
}

// Either a reason to ignore the event, or the command text with its age.
export type CommandEvent =
  | { kind: "ignore"; reason: string }
  | { kind: "command"; body: string; ageMs: number; threadRoot?: string };

// Reads a message event as a command candidate. Own events, non-text messages and edits are never commands.
export function readCommandEvent(event: RoomEvent, botUserId: string, prefix: string, now: number): CommandEvent {
  if (event.sender === botUserId) return { kind: "ignore", reason: "own event" };
  if (event.type !== "m.room.message") return { kind: "ignore", reason: "not a message" };
  const content = event.content ?? {};
  if (content.msgtype !== "m.text" || typeof content.body !== "string") return { kind: "ignore", reason: "not a text message" };
  const relation = content["m.relates_to"] as Record<string, any> | undefined;
  if (relation?.rel_type === "m.replace" || content["m.new_content"] !== undefined) return { kind: "ignore", reason: "edit" };
  const body = relation?.["m.in_reply_to"] ? stripReplyFallback(content.body) : content.body;
  if (!body.trimStart().startsWith(prefix)) return { kind: "ignore", reason: "not a command" };
  // The server's own age is immune to clock skew between magi and the homeserver.
  const ageMs = typeof event.unsigned?.age === "number" ? event.unsigned.age : now - event.origin_server_ts;
  const threadRoot = relation?.rel_type === "m.thread" && typeof relation.event_id === "string" ? relation.event_id : undefined;
  return { kind: "command", body, ageMs, ...(threadRoot ? { threadRoot } : {}) };
}
