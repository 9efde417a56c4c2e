// Silences magi made from an alert message: which group's message shows them, so a re-rendered or restarted view still
// says "silenced by …", and !unsilence knows which Alertmanager and which message a silence belongs to.
import type Database from "better-sqlite3";

// One silence magi created.
export interface StoredSilence {
  silenceId: string;
  route: string;
  groupId: number | null;
  createdBy: string;
  comment: string;
  endsAt: number;
  createdAt: number;
  expiredAt: number | null;
}

const COLUMNS = `silence_id AS silenceId, route, group_id AS groupId, created_by AS createdBy, comment, ends_at AS endsAt,
  created_at AS createdAt, expired_at AS expiredAt`;

// Reads and writes the silences magi created.
export function createSilenceStore(db: Database.Database) {
  const insert = db.prepare(`INSERT OR REPLACE INTO alert_silences (silence_id, route, group_id, created_by, comment, ends_at, created_at)
    VALUES (@silenceId, @route, @groupId, @createdBy, @comment, @endsAt, @createdAt)`);
  const byId = db.prepare<[string], StoredSilence>(`SELECT ${COLUMNS} FROM alert_silences WHERE silence_id = ?`);
  const ofGroup = db.prepare<[number, number], StoredSilence>(`SELECT ${COLUMNS} FROM alert_silences
    WHERE group_id = ? AND expired_at IS NULL AND ends_at > ? ORDER BY created_at, silence_id`);
  const expire = db.prepare("UPDATE alert_silences SET expired_at = ? WHERE silence_id = ? AND expired_at IS NULL");
  return {
    // Remembers a silence Alertmanager accepted.
    record: (silence: Omit<StoredSilence, "expiredAt">): void => void insert.run(silence),
    get: (silenceId: string): StoredSilence | undefined => byId.get(silenceId),
    // The silences a group's message shows: not expired by anyone, and not yet ended at now.
    activeFor: (groupId: number, now: number): StoredSilence[] => ofGroup.all(groupId, now),
    // Notes that a silence was expired; false when it was unknown or already expired.
    markExpired: (silenceId: string, now: number): boolean => expire.run(now, silenceId).changes === 1,
  };
}

// The store's type.
export type SilenceStore = ReturnType<typeof createSilenceStore>;
