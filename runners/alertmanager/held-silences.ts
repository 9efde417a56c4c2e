// Silences magi holds itself, for its own alerts (scheduled checks) that no Alertmanager sees. Their IDs start with
// "magi-", which no Alertmanager UUID can, so one !unsilence and one !silences serve both kinds.
import { randomBytes } from "node:crypto";

// "magi-" and 12 hex digits: short enough to type, and never shaped like Alertmanager's UUIDs.
export const HELD_SILENCE_PATTERN = /^magi-[0-9a-f]{12}$/;

// The prefix the store finds held silences by.
export const HELD_SILENCE_PREFIX = "magi-";

// A fresh ID for a silence magi holds.
export function makeHeldSilenceId(): string {
  return `${HELD_SILENCE_PREFIX}${randomBytes(6).toString("hex")}`;
}

// Tells whether magi holds this silence (rather than an Alertmanager).
export function isHeldSilence(id: string): boolean {
  return id.startsWith(HELD_SILENCE_PREFIX);
}
