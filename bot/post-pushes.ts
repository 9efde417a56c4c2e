// The background loop that brings the room up to date with the push store: a new push is posted, a superseded or
// requested proposal is edited in place, once. Run at start, after each change, and periodically, so what a crash or
// an unresolvable room left pending goes out later. A deploy-mode push's deploy starts once its message has an event id
// (the job message replies to it).
import type { Logger } from "pino";
import { renderPush, type PushMessage } from "../http/forgejo-view.ts";
import type { PushKind } from "../http/forgejo-paths.ts";
import type { PendingDeploy, PushStore, StoredPush } from "../storage/push-store.ts";
import type { AlertPoster } from "./alert-poster.ts";
import { startSweep } from "./start-sweep.ts";

// What the push store keeps per push to render its message from.
export type PushView = Pick<PushMessage, "summary" | "touched">;

// The message a stored push shows now.
export function describeStoredPush(p: StoredPush<PushView>): PushMessage {
  return { ...p.view, kind: p.kind as PushKind, hosts: p.hosts, supersededBy: p.supersededBy, requestedBy: p.requestedBy, deployHosts: p.deployHosts, deployAs: p.deployAs };
}

// Starts the loop; resolveRoom maps a configured room (ID or alias) to a room ID, or undefined while it can't.
export function startPushPosting(deps: { store: PushStore<PushView>; poster: AlertPoster; resolveRoom(room: string): Promise<string | undefined>; startDeploy(push: PendingDeploy<PushView>, roomId: string): Promise<void>; log: Logger }) {
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
    for (const push of deps.store.pendingDeploys()) {
      if (push.messageEventId === null) continue;
      const roomId = await deps.resolveRoom(push.room);
      // Not awaited: a deploy's reply may wait on the homeserver, and the sweep must not.
      if (roomId !== undefined) void deps.startDeploy(push, roomId).catch((error: Error) => deps.log.error({ err: error, pushId: push.id }, "push deploy failed to start"));
    }
  }

  return startSweep(flush, deps.log, "push posting");
}
