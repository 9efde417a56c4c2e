// Decides whether a room event is a command magi should consider, without any I/O.
import { addressNames, readAddressedCommand } from "./command-address.ts";
import { htmlToText, readLeadingPill, stripHtmlReply } from "./html-to-text.ts";
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

// Either a reason to ignore the event, or the command text with its age; htmlDiffers when the formatted version shows other text.
export type CommandEvent =
  | { kind: "ignore"; reason: string }
  | { kind: "command"; body: string; ageMs: number; threadRoot?: string; replyTo?: string; htmlDiffers?: true };

// Markdown turns these into formatting (and a backslash escapes them), so the plain body keeps them where the HTML shows none.
const MARKDOWN_MARKS = new Set(["*", "_", "`", "~", "\\"]);

// Text as compared between body and formatted_body: markdown marks dropped, whitespace runs as one space.
function comparable(text: string): string {
  let out = "";
  for (const char of text) if (!MARKDOWN_MARKS.has(char)) out += char;
  return out.split(/\s+/u).filter(Boolean).join(" ");
}

// Reads a message event as a command candidate. Own events, non-text messages, edits and messages addressed to someone else are never commands.
export function readCommandEvent(event: RoomEvent, botUserId: string, prefix: string, now: number, botDisplayName?: string): CommandEvent {
  if (event.sender === botUserId) return { kind: "ignore", reason: "own event" };
  if (event.type !== "m.room.message") return { kind: "ignore", reason: "not a message" };
  const content = event.content ?? {};
  if (content.msgtype !== "m.text" || typeof content.body !== "string") return { kind: "ignore", reason: "not a text message" };
  const relation = content["m.relates_to"] as Record<string, any> | undefined;
  if (relation?.rel_type === "m.replace" || content["m.new_content"] !== undefined) return { kind: "ignore", reason: "edit" };
  const html = content.format === "org.matrix.custom.html" && typeof content.formatted_body === "string" ? (content.formatted_body as string) : undefined;
  const pill = html === undefined ? undefined : readLeadingPill(stripHtmlReply(html));
  const mentioned: unknown = content["m.mentions"]?.user_ids;
  if (pill && (pill.userId !== botUserId || (Array.isArray(mentioned) && !mentioned.includes(botUserId)))) return { kind: "ignore", reason: "addressed to someone else" };
  const names = addressNames(botUserId, botDisplayName, pill?.text);
  const plain = relation?.["m.in_reply_to"] ? stripReplyFallback(content.body) : content.body;
  const body = readAddressedCommand(plain, prefix, names);
  if (body === undefined) return { kind: "ignore", reason: "not a command" };
  // The server's own age is immune to clock skew between magi and the homeserver.
  const ageMs = typeof event.unsigned?.age === "number" ? event.unsigned.age : now - event.origin_server_ts;
  const threadRoot = relation?.rel_type === "m.thread" && typeof relation.event_id === "string" ? relation.event_id : undefined;
  // A thread's in_reply_to may only be the fallback for clients without threads; then the thread root is what it answers
  // (Slack users, through the bridge, answer an alert in its thread).
  const inReplyTo: unknown = relation?.is_falling_back === true ? undefined : relation?.["m.in_reply_to"]?.event_id;
  const replyTo = typeof inReplyTo === "string" ? inReplyTo : threadRoot;
  // Clients show the HTML and magi runs the body: when they say different things, nobody should act on either.
  const shown = html === undefined ? undefined : htmlToText(html);
  const htmlDiffers = shown !== undefined && comparable(readAddressedCommand(shown, prefix, names) ?? shown) !== comparable(body);
  return { kind: "command", body, ageMs, ...(threadRoot ? { threadRoot } : {}), ...(replyTo ? { replyTo } : {}), ...(htmlDiffers ? { htmlDiffers: true as const } : {}) };
}
