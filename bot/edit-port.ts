// Edits a message magi sent earlier (m.replace), the way job progress is shown.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { renderBlocks } from "./render.ts";
import { sendQueueOf } from "./send-event.ts";
import type { MessageRef } from "./send-queue.ts";

// Replaces the content of one of magi's messages; resolves once the edit is stored in the outbox (it is sent in turn).
export interface EditPort {
  edit(roomId: string, eventId: string, blocks: Block[]): Promise<void>;
}

// An EditPort that also edits a message still waiting in the outbox, named by its row.
export interface QueuedEditPort extends EditPort {
  edit(roomId: string, target: MessageRef, blocks: Block[]): Promise<void>;
}

// An EditPort queueing m.replace edits with the room's reply msgtype; newer edits of a message replace waiting ones.
export function createEditPort(client: MatrixClient, log: Logger, msgtypeFor: (roomId: string) => ReplyMsgtype): QueuedEditPort {
  return {
    edit: async (roomId, target, blocks) => {
      const { body, formattedBody } = renderBlocks(blocks);
      const msgtype = msgtypeFor(roomId);
      const fresh = { msgtype, body, format: "org.matrix.custom.html", formatted_body: formattedBody };
      sendQueueOf(client, log).enqueue({ roomId, edits: target, content: { ...fresh, body: `* ${body}`, "m.new_content": fresh } });
    },
  };
}
