// The background loop that brings the room up to date with the alert store: every group whose view the room lacks
// is posted (a new episode) or edited in place. Run at start, after each change, and periodically, so what a crash or
// an unresolvable room left pending goes out later. A group has at most one message of its own waiting in the send
// queue: changes that arrive meanwhile stay in its row, and the next edit, handed over once that message is sent,
// shows the latest of them. So a burst of changes costs the room one edit, and the sweep one hand-off, per send.
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import type { GroupState } from "../http/alert-group.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { AlertPoster } from "./alert-poster.ts";
import { createHold, type HoldTimes } from "./create-hold.ts";
import { startSweep } from "./start-sweep.ts";
import type { AlertView } from "./alert-views.ts";

// Lets the HTTP intake answer the requests that arrived while the sweep worked, between two hand-offs.
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

// A sweep waits until changes have paused for quietMs, so a burst of notifications (an alert storm, Alertmanager
// flushing many groups at once) reaches the room as each group's latest state rather than as a run of edits that
// would compete with the intake for the CPU and with the Slack bridge for its rate limit; but it never holds a
// change longer than maxMs, however long the burst lasts.
export const ALERT_HOLD: HoldTimes = { quietMs: 100, maxMs: 2000 };

// Starts the loop; resolveRoom maps a configured room (ID or alias) to a room ID, or undefined while it can't.
export function startAlertPosting(deps: {
  store: AlertStore<GroupState, AlertView>;
  poster: AlertPoster;
  resolveRoom(room: string): Promise<string | undefined>;
  log: Logger;
  metrics?: MetricsPort;
  hold?: HoldTimes;
}) {
  // Groups whose last hand-off is still in the send queue (this run's; a previous run's waiting edit is replaced by
  // the next one, as the queue replaces any edit still waiting).
  const inQueue = new Set<number>();

  let stopped = false;
  const hold = createHold(deps.hold ?? ALERT_HOLD, () => sweep.nudge());
  const nudge = () => {
    if (!stopped) hold.nudge();
  };

  // Marks the group free once its message has left the queue (sent, or refused for good), and sweeps again.
  const release = (groupId: number, sent: Promise<string>) => {
    inQueue.add(groupId);
    void sent.catch(() => undefined).finally(() => {
      inQueue.delete(groupId);
      nudge();
    });
  };

  async function flush(): Promise<void> {
    for (const { id, room } of deps.store.waiting()) {
      if (inQueue.has(id)) continue;
      const roomId = await deps.resolveRoom(room);
      if (roomId === undefined) continue;
      try {
        deps.store.handOff(id, (g) => {
          if (g.messageRef !== null) {
            release(g.id, deps.poster.edit(roomId, g.messageRef, g.view.blocks).sent);
            deps.metrics?.countAlertMessage("edited");
            return g.messageRef;
          }
          const { ref, sent } = deps.poster.post(roomId, g.view.blocks, { mentions: g.view.mentions });
          deps.metrics?.countAlertMessage("posted");
          if (typeof ref === "object") void sent.then((eventId) => deps.store.noteSent(g.id, ref.outboxId, eventId), () => undefined);
          release(g.id, sent);
          return ref;
        });
      } catch (error) {
        deps.log.error({ err: error, groupId: id }, "could not queue an alert message; trying again later");
      }
      await yieldToRequests();
    }
  }

  const sweep = startSweep(flush, deps.log, "alert posting");
  return {
    nudge,
    async stop(): Promise<void> {
      stopped = true;
      hold.cancel();
      await sweep.stop();
    },
  };
}
