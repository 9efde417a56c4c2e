// Builds the content of a reply to a command: in reply to it (and in its thread), with plain and HTML bodies.
import type { Block } from "../commands/core/types.ts";
import { renderBlocks } from "./render.ts";

// Which message type replies use in a room: mautrix-slack drops m.notice unless bridge_notices is on.
export type ReplyMsgtype = "m.text" | "m.notice";

// How the id of a request typed in a terminal (`magi do`) starts: it names no Matrix event, so its replies reply to nothing.
export const TERMINAL_REQUEST_PREFIX = "cli:";

// Event content for a reply to eventId; threadRoot keeps the reply in a Slack thread.
export function buildReply(blocks: Block[], msgtype: ReplyMsgtype, eventId: string, threadRoot?: string): Record<string, unknown> {
  const { body, formattedBody } = renderBlocks(blocks);
  const relation = eventId.startsWith(TERMINAL_REQUEST_PREFIX)
    ? undefined
    : threadRoot
    ? { rel_type: "m.thread", event_id: threadRoot, is_falling_back: false, "m.in_reply_to": { event_id: eventId } }
    : { "m.in_reply_to": { event_id: eventId } };
  return {
    msgtype,
    body,
    format: "org.matrix.custom.html",
    formatted_body: formattedBody,
    ...(relation ? { "m.relates_to": relation } : {}),
    "m.mentions": {},
  };
}
