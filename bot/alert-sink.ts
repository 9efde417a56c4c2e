// Commits Alertmanager notifications to the alert store (the HTTP intake answers only after this returns) and wakes
// the poster when the room's message must change.
import { hasCriticalFiring, renderAlertGroup } from "../http/alert-view.ts";
import { isResolved, mergeNotification, type GroupState } from "../http/alert-group.ts";
import type { AlertSink } from "../http/ports.ts";
import type { Block } from "../commands/types.ts";
import type { AlertStore } from "../storage/alert-store.ts";

// The view stored per group: the message's blocks, and whether its first post mentions the route's people.
export interface AlertView {
  blocks: Block[];
  mentions: string[];
}

// An AlertSink over the store; changed() is called after a commit that changes a message.
export function createAlertSink(store: AlertStore<GroupState, AlertView>, changed: () => void, now: () => number = Date.now): AlertSink {
  return {
    accept: (route, payload) => {
      const result = store.record(route.name, payload.groupKey, route.room, now(), (latest) => {
        const { state, opened } = mergeNotification(latest?.state, payload);
        const view = { blocks: renderAlertGroup(state, route.name), mentions: hasCriticalFiring(state) ? route.mention : [] };
        return { open: opened, state, resolved: isResolved(state), view };
      });
      if (result.changed) changed();
      return { changed: result.changed };
    },
  };
}
