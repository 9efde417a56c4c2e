// Posts a schedule's digest: one message summarising its hosts from the problems already confirmed. A digest is a
// report of the moment, not an alert, so it goes straight to the send queue (stored in the outbox) and is never edited.
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import type { ScheduleConfig } from "../config/schema.ts";
import { describeDigest } from "../runners/schedules/describe-digest.ts";
import { createScheduleStore } from "../storage/schedule-store.ts";
import type { AlertPoster } from "./alert-poster.ts";

// What a digest needs: the stored problems, a poster, and the room's ID.
export interface DigestDeps {
  db: Database.Database;
  poster: AlertPoster;
  resolveRoom(room: string): Promise<string | undefined>;
  log: Logger;
  now: () => number;
}

// Queues the digest of one schedule over these hosts; a room magi cannot join yet skips this digest, with a warning.
export async function postDigest(name: string, schedule: ScheduleConfig, hosts: readonly string[], deps: DigestDeps): Promise<void> {
  const roomId = await deps.resolveRoom(schedule.room);
  if (roomId === undefined) {
    deps.log.warn({ schedule: name, room: schedule.room }, "schedule digest skipped: magi cannot join its room");
    return;
  }
  const { headline, items } = describeDigest(name, hosts, createScheduleStore(deps.db).confirmed(name), deps.now(), schedule.tz);
  const blocks: Block[] = [{ kind: "text", text: headline }, ...(items.length > 0 ? [{ kind: "list" as const, items }] : [])];
  deps.poster.post(roomId, blocks, { mentions: [] });
  deps.log.debug({ schedule: name, problems: items.length }, "schedule digest queued");
}
