// Edits a message one edit at a time, newest text last: a later note never loses to an earlier edit still on its way,
// and texts superseded while an edit was being sent are skipped.
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import type { EditPort } from "./edit-port.ts";

// Shows blocks on a message; resolves once that text (or a newer one) has been handed to the edit port.
export type ShowLatest = (roomId: string, eventId: string, blocks: Block[]) => Promise<void>;

// Creates show(): one chain of edits per message.
export function createLatestEdit(edits: EditPort, log: Logger): ShowLatest {
  const chains = new Map<string, { next: Block[] | undefined; done: Promise<void> }>();
  return (roomId, eventId, blocks) => {
    const chain = chains.get(eventId);
    if (chain) {
      chain.next = blocks;
      return chain.done;
    }
    const fresh: { next: Block[] | undefined; done: Promise<void> } = { next: blocks, done: Promise.resolve() };
    chains.set(eventId, fresh);
    fresh.done = (async () => {
      // Starts at once (no await before the first edit), so callers need not wait to know it is under way.
      for (let shown = fresh.next; shown; shown = fresh.next) {
        fresh.next = undefined;
        await edits.edit(roomId, eventId, shown).catch((error: Error) => log.warn({ eventId, err: error.message }, "could not edit the message"));
      }
      chains.delete(eventId);
    })();
    return fresh.done;
  };
}
