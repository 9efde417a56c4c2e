// The background loop that brings the room up to date with the push store: a new push is posted, a superseded or
// requested proposal is edited in place, once. Run at start, after each change, and periodically, so what a crash or
// an unresolvable room left pending goes out later.
import type { Logger } from "pino";
import { renderPush, type PushMessage } from "../http/forgejo-view.ts";
import type { PushKind } from "../http/forgejo-paths.ts";
import type { PushStore, StoredPush } from "../storage/push-store.ts";
import type { AlertPoster } from "./alert-poster.ts";

const SWEEP_MS = 10_000;

// What the push store keeps per push to render its message from.
export type PushView = Pick<PushMessage, "summary" | "touched">;

// The message a stored push shows now.
export function describeStoredPush(p: StoredPush<PushView>): PushMessage {
  return { ...p.view, kind: p.kind as PushKind, hosts: p.hosts, supersededBy: p.supersededBy, requestedBy: p.requestedBy };
}

// Starts the loop; resolveRoom maps a configured room (ID or alias) to a room ID, or undefined while it can't.
export function startPushPosting(deps: { store: PushStore<PushView>; poster: AlertPoster; resolveRoom(room: string): Promise<string | undefined>; log: Logger }) {
  let running: Promise<void> | undefined;
  let again = false;

  async function flush(): Promise<void> {
    for (const push of deps.store.pending()) {
      const roomId = await deps.resolveRoom(push.room);
      if (roomId === undefined) continue;
      try {
        deps.store.handOff(push.id, (p) => {
          const blocks = renderPush(describeStoredPush(p));
          if (p.messageRef !== null) {
            deps.poster.edit(roomId, p.messageRef, blocks);
            return p.messageRef;
          }
          const { ref, sent } = deps.poster.post(roomId, blocks, { mentions: [] });
          if (typeof ref === "object") void sent.then((eventId) => deps.store.noteSent(p.id, ref.outboxId, eventId), () => undefined);
          return ref;
        });
      } catch (error) {
        deps.log.error({ err: error, pushId: push.id }, "could not queue a push message; trying again later");
      }
    }
  }

  // One flush at a time; a nudge during a flush runs another one after it.
  const nudge = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = flush().catch((e: Error) => deps.log.error({ err: e }, "push posting failed")).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        nudge();
      }
    });
  };
  const timer = setInterval(nudge, SWEEP_MS);
  timer.unref();
  nudge();
  return {
    nudge,
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
