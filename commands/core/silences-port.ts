// What !silence, !silences and !unsilence need: the alert message a command replies to, the Alertmanagers magi may
// talk to, and silences made, listed and expired (remembered, so the alert message shows them).
import type { Matcher } from "../../domain/matchers.ts";
import type { Silence } from "../../runners/alertmanager/silences.ts";

// The alert group an alert message shows: its route, how it is named, and the labels its alerts share.
export interface AlertedGroup {
  groupId: number;
  route: string;
  name: string;
  commonLabels: Record<string, string>;
}

// A silence to make, for how long, by whom and why.
export interface SilenceRequest {
  matchers: Matcher[];
  durationMs: number;
  createdBy: string;
  comment: string;
}

// An Alertmanager magi can reach, as the first route that names it.
export interface ReachableAlertmanager {
  route: string;
  url: string;
}

// Each Alertmanager's active silences, or why they could not be listed.
export type SilenceListing = ReachableAlertmanager & ({ ok: true; silences: Silence[] } | { ok: false; message: string });

// A failure, with the words for the room.
export type Failed = { ok: false; message: string };

// Silences through the configured Alertmanagers.
export interface SilencesPort {
  // The alert group a message in this room shows, if it is one of magi's alert messages.
  groupAt(roomId: string, eventId: string): AlertedGroup | undefined;
  // Tells whether magi holds the silences of this route's alerts itself (scheduled checks), with no Alertmanager.
  holds(route: string): boolean;
  // The route's Alertmanager URL, if it has one.
  urlOf(route: string): string | undefined;
  // Each distinct configured Alertmanager once.
  alertmanagers(): ReachableAlertmanager[];
  // Creates a silence on the route's Alertmanager (or held by magi); the replied-to group and every open group it
  // covers show it.
  create(route: string, request: SilenceRequest, groupId: number | undefined): Promise<{ ok: true; id: string; endsAt: number } | Failed>;
  // Lists the active silences of every Alertmanager, and those magi holds when there are any.
  listActive(): Promise<SilenceListing[]>;
  // Expires a silence wherever it is; the message that showed it no longer does.
  expire(id: string): Promise<{ ok: true; route: string; groupName: string | undefined } | Failed>;
}
