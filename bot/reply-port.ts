// The one way the rest of the bot posts replies, so intake and jobs don't depend on the Matrix client directly.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import { buildReply, type ReplyMsgtype } from "./build-reply.ts";
import { sendQueueOf } from "./send-event.ts";
import type { MessageRef } from "./send-queue.ts";

// Where a reply goes: the room, the command event, its thread, and the room's reply msgtype.
export interface ReplyTarget {
  roomId: string;
  eventId: string;
  threadRoot?: string | undefined;
  msgtype: ReplyMsgtype;
}

// A file posted in reply (an m.file event).
export interface ReplyFile {
  name: string;
  mimetype: string;
  data: Buffer;
}

// Sends replies; resolves with the reply's event id. sendFile uploads a file and posts it in reply, where the port can.
export interface ReplyPort {
  send(target: ReplyTarget, blocks: Block[]): Promise<string>;
  sendFile?(target: ReplyTarget, file: ReplyFile): Promise<string>;
}

// A ReplyPort whose replies go through the client's send queue (stored first); post() hands back the outbox row at
// once, so a caller can queue edits of a reply before it is sent.
export function createReplyPort(client: MatrixClient, log: Logger): Required<ReplyPort> & { post(target: ReplyTarget, blocks: Block[]): { ref: MessageRef; sent: Promise<string> } } {
  const post = (target: ReplyTarget, blocks: Block[]) => {
    const content = buildReply(blocks, target.msgtype, target.eventId, target.threadRoot);
    const { outboxId, sent } = sendQueueOf(client, log).enqueue({ roomId: target.roomId, content });
    return { ref: { outboxId }, sent };
  };
  // Uploaded first, then posted through the same queue, so it follows the messages queued before it.
  const sendFile = async (target: ReplyTarget, file: ReplyFile) => {
    const url = await client.uploadContent(file.data, file.mimetype, file.name);
    const content = { msgtype: "m.file", body: file.name, filename: file.name, url, info: { mimetype: file.mimetype, size: file.data.length }, "m.relates_to": { "m.in_reply_to": { event_id: target.eventId } } };
    return sendQueueOf(client, log).enqueue({ roomId: target.roomId, content }).sent;
  };
  return { post, send: (target, blocks) => post(target, blocks).sent, sendFile };
}
