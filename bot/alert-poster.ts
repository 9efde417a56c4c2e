// Posts and edits alert group messages through the send queue (stored in the outbox before they are sent), behind
// replies in each room's line. Both calls store synchronously, so the alert store can record the hand-off in the
// same transaction.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { escapeHtml, renderBlocks } from "./render.ts";
import { sendQueueOf } from "./send-event.ts";
import { SEND_PRIORITY, type MessageRef } from "./send-queue.ts";

// Posts a new alert message (mentioning people when asked) or edits one; sent resolves with the event id once the
// homeserver has it (an edit's, with the event id of a newer edit that replaced it while waiting).
export interface AlertPoster {
  post(roomId: string, blocks: Block[], opts: { mentions: string[] }): { ref: MessageRef; sent: Promise<string> };
  edit(roomId: string, target: MessageRef, blocks: Block[]): { sent: Promise<string> };
}

function renderContent(blocks: Block[], msgtype: ReplyMsgtype, mentions: string[]) {
  const { body, formattedBody } = renderBlocks(blocks);
  if (mentions.length === 0) return { msgtype, body, format: "org.matrix.custom.html", formatted_body: formattedBody };
  // Pills, so the Slack bridge pings the people too; m.mentions is what Matrix clients notify by.
  const pills = mentions.map((u) => `<a href="https://matrix.to/#/${escapeHtml(u)}">${escapeHtml(u)}</a>`).join(" ");
  return { msgtype, body: `${body}\n${mentions.join(" ")}`, format: "org.matrix.custom.html", formatted_body: `${formattedBody}<p>${pills}</p>` };
}

// An AlertPoster over the client's send queue, with each room's reply msgtype.
export function createAlertPoster(client: MatrixClient, log: Logger, msgtypeFor: (roomId: string) => ReplyMsgtype): AlertPoster {
  return {
    post: (roomId, blocks, { mentions }) => {
      const content = { ...renderContent(blocks, msgtypeFor(roomId), mentions), "m.mentions": { user_ids: mentions } };
      const { outboxId, sent } = sendQueueOf(client, log).enqueue({ roomId, content, priority: SEND_PRIORITY.alert });
      return { ref: { outboxId }, sent };
    },
    edit: (roomId, target, blocks) => {
      const fresh = renderContent(blocks, msgtypeFor(roomId), []);
      // The queue adds the m.replace relation once the target's event id is known.
      const content = { ...fresh, body: `* ${fresh.body}`, "m.new_content": fresh, "m.mentions": {} };
      const { sent } = sendQueueOf(client, log).enqueue({ roomId, edits: target, content, priority: SEND_PRIORITY.alert });
      return { sent };
    },
  };
}
