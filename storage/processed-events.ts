// Remembers which Matrix events were handled, so sync replays and restarts never run a command twice.
import type Database from "better-sqlite3";

// Claims and prunes processed event ids.
export interface ProcessedEvents {
  // True the first time an event id is claimed, false ever after.
  claim(eventId: string, roomId: string, now: number): boolean;
  // Forgets ids older than the cutoff; the start-time age check covers anything that old.
  pruneBefore(cutoff: number): number;
}

// ProcessedEvents backed by the processed_events table.
export function createProcessedEvents(db: Database.Database): ProcessedEvents {
  const insert = db.prepare("INSERT OR IGNORE INTO processed_events (event_id, room_id, processed_at) VALUES (?, ?, ?)");
  const prune = db.prepare("DELETE FROM processed_events WHERE processed_at < ?");
  return {
    claim: (eventId, roomId, now) => insert.run(eventId, roomId, now).changes === 1,
    pruneBefore: (cutoff) => prune.run(cutoff).changes,
  };
}
