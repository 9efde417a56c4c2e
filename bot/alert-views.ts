// What an alert group's stored message is made of, beyond Alertmanager's state.
import type { Block } from "../commands/core/types.ts";
import type { GroupExtras, SilenceMark } from "../http/alert-view.ts";

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

// No Alertmanager links, no silences.
export const NO_EXTRAS: ViewExtras = { urlOf: () => undefined, marksOf: () => [] };

// The extras for one group's message now (a new episode has no silences yet).
export function collectExtras(extras: ViewExtras, route: string, groupId: number | undefined, now: number): GroupExtras {
  return { alertmanagerUrl: extras.urlOf(route), silences: groupId === undefined ? [] : extras.marksOf(groupId, now) };
}
