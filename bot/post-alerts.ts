// The background loop that brings the room up to date with the alert store: every group whose view the room lacks
// is posted (a new episode) or edited in place, once. Run at start, after each change, and periodically, so what a
// crash or an unresolvable room left pending goes out later.
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import type { GroupState } from "../http/alert-group.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { AlertPoster } from "./alert-poster.ts";
import { startSweep } from "./start-sweep.ts";
import type { AlertView } from "./alert-sink.ts";

// Starts the loop; resolveRoom maps a configured room (ID or alias) to a room ID, or undefined while it can't.
export function startAlertPosting(deps: {
  store: AlertStore<GroupState, AlertView>;
  poster: AlertPoster;
  resolveRoom(room: string): Promise<string | undefined>;
  log: Logger;
  metrics?: MetricsPort;
}) {
  async function flush(): Promise<void> {
    for (const group of deps.store.pending()) {
      const roomId = await deps.resolveRoom(group.room);
      if (roomId === undefined) continue;
      try {
        deps.store.handOff(group.id, (g) => {
          if (g.messageRef !== null) {
            deps.poster.edit(roomId, g.messageRef, g.view.blocks);
            deps.metrics?.countAlertMessage("edited");
            return g.messageRef;
          }
          const { ref, sent } = deps.poster.post(roomId, g.view.blocks, { mentions: g.view.mentions });
          deps.metrics?.countAlertMessage("posted");
          if (typeof ref === "object") void sent.then((eventId) => deps.store.noteSent(g.id, ref.outboxId, eventId), () => undefined);
          return ref;
        });
      } catch (error) {
        deps.log.error({ err: error, groupId: group.id }, "could not queue an alert message; trying again later");
      }
    }
  }

  return startSweep(flush, deps.log, "alert posting");
}
