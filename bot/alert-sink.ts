// Commits Alertmanager notifications to the alert store (the HTTP intake answers only after this returns) and wakes
// the poster when the room's message must change.
import { hasCriticalFiring, renderAlertGroup, type GroupExtras, type SilenceMark } from "../http/alert-view.ts";
import { isResolved, mergeNotification, type GroupState } from "../http/alert-group.ts";
import type { AlertSink } from "../http/ports.ts";
import type { Block } from "../commands/core/types.ts";
import type { AlertStore } from "../storage/alert-store.ts";
import type { CommitQueue } from "../storage/commit-queue.ts";

// The view stored per group: the message's blocks, and whether its first post mentions the route's people.
export interface AlertView {
  blocks: Block[];
  mentions: string[];
}

// What a group's message shows beyond Alertmanager's state: the route's Alertmanager link and the group's silences.
export interface ViewExtras {
  urlOf(route: string): string | undefined;
  marksOf(groupId: number, now: number): SilenceMark[];
}

const NO_EXTRAS: ViewExtras = { urlOf: () => undefined, marksOf: () => [] };

// The extras for one group's message now (a new episode has no silences yet).
export function collectExtras(extras: ViewExtras, route: string, groupId: number | undefined, now: number): GroupExtras {
  return { alertmanagerUrl: extras.urlOf(route), silences: groupId === undefined ? [] : extras.marksOf(groupId, now) };
}

// An AlertSink over the store, committing through commits (one transaction per burst of requests); changed() is
// called after a commit that changes a message.
export function createAlertSink(store: AlertStore<GroupState, AlertView>, commits: CommitQueue, changed: () => void, now: () => number = Date.now, extras: ViewExtras = NO_EXTRAS): AlertSink {
  return {
    accept: async (route, payload) => {
      const at = now();
      const result = await commits.run(() => store.record(route.name, payload.groupKey, route.room, at, (latest) => {
        const { state, opened } = mergeNotification(latest?.state, payload);
        const shown = collectExtras(extras, route.name, opened ? undefined : latest?.id, at);
        const view = { blocks: renderAlertGroup(state, route.name, shown), mentions: hasCriticalFiring(state) ? route.mention : [] };
        return { open: opened, state, resolved: isResolved(state), view };
      }));
      if (result.changed) changed();
      return { changed: result.changed };
    },
  };
}
