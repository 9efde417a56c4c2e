// A reply that shows how slow work before a command's answer is going (a deploy's preview build): posted at the
// first update, then edited at most every interval with the newest text, the last one always shown.
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import type { QueuedEditPort } from "./edit-port.ts";
import type { ReplyTarget } from "./reply-port.ts";
import type { MessageRef } from "./send-queue.ts";

// What progress messages need: a way to post a reply (its outbox row, so edits can follow before it is sent) and to edit it.
export interface ProgressDeps {
  post(target: ReplyTarget, blocks: Block[]): { ref: MessageRef };
  edits: QueuedEditPort;
  log: Logger;
  intervalMs?: number;
}

// Returns, per command, the progress function its context gets.
export function createProgressMessages(deps: ProgressDeps) {
  const interval = deps.intervalMs ?? 2_000;
  return (target: ReplyTarget) => {
    let ref: MessageRef | undefined;
    let shownAt = 0;
    let waiting: Block[] | undefined;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (!waiting || !ref) return;
      const blocks = waiting;
      waiting = undefined;
      shownAt = Date.now();
      deps.edits.edit(target.roomId, ref, blocks).catch((error: Error) => deps.log.warn({ roomId: target.roomId, err: error.message }, "could not edit the progress message"));
    };
    return (blocks: Block[]) => {
      if (!ref) {
        ref = deps.post(target, blocks).ref;
        shownAt = Date.now();
        return;
      }
      waiting = blocks;
      timer ??= setTimeout(flush, Math.max(0, shownAt + interval - Date.now()));
    };
  };
}
