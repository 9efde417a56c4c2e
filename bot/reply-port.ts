// The one way the rest of the bot posts replies, so intake and jobs don't depend on the Matrix client directly.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Block } from "../commands/types.ts";
import { buildReply, type ReplyMsgtype } from "./build-reply.ts";
import { sendEventWithRetry } from "./send-event.ts";

// Where a reply goes: the room, the command event, its thread, and the room's reply msgtype.
export interface ReplyTarget {
  roomId: string;
  eventId: string;
  threadRoot?: string | undefined;
  msgtype: ReplyMsgtype;
}

// Sends replies; resolves with the reply's event id.
export interface ReplyPort {
  send(target: ReplyTarget, blocks: Block[]): Promise<string>;
}

// A ReplyPort that sends through the client with rate-limit-safe retries.
export function createReplyPort(client: MatrixClient, log: Logger): ReplyPort {
  return {
    send: async (target, blocks) => {
      const content = buildReply(blocks, target.msgtype, target.eventId, target.threadRoot);
      return sendEventWithRetry(client, log, target.roomId, "m.room.message", content);
    },
  };
}
