// Edits a message magi sent earlier (m.replace), the way job progress is shown.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Block } from "../commands/types.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { renderBlocks } from "./render.ts";
import { sendEventWithRetry } from "./send-event.ts";

// Replaces the content of one of magi's messages.
export interface EditPort {
  edit(roomId: string, eventId: string, blocks: Block[]): Promise<void>;
}

// An EditPort sending m.replace edits with the room's reply msgtype.
export function createEditPort(client: MatrixClient, log: Logger, msgtypeFor: (roomId: string) => ReplyMsgtype): EditPort {
  return {
    edit: async (roomId, eventId, blocks) => {
      const { body, formattedBody } = renderBlocks(blocks);
      const msgtype = msgtypeFor(roomId);
      const fresh = { msgtype, body, format: "org.matrix.custom.html", formatted_body: formattedBody };
      await sendEventWithRetry(client, log, roomId, "m.room.message", {
        ...fresh,
        body: `* ${body}`,
        "m.new_content": fresh,
        "m.relates_to": { rel_type: "m.replace", event_id: eventId },
      });
    },
  };
}
