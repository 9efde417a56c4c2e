// Silences magi made or holds: which alert groups' messages show them (so a re-rendered or restarted view still says
// "silenced by …"), their matchers (magi's own silences of schedule alerts are enforced by them), and when each stopped
// counting, so a timer computed from these rows takes the line off the messages once a silence ends.
import type Database from "better-sqlite3";
import type { Matcher } from "../domain/matchers.ts";
import { HELD_SILENCE_PREFIX } from "../runners/alertmanager/held-silences.ts";

// One silence magi created.
export interface StoredSilence {
  silenceId: string;
  route: string;
  // The group it was made from, in reply to its message (the marks table holds every group it covers).
  groupId: number | null;
  matchers: Matcher[];
  createdBy: string;
  comment: string;
  endsAt: number;
  createdAt: number;
  // When it stopped counting: expired early by !unsilence, or its end time once magi noticed it passed.
  expiredAt: number | null;
}

type Row = Omit<StoredSilence, "matchers"> & { matchers: string };

const COLUMNS = `s.silence_id AS silenceId, s.route, s.group_id AS groupId, s.matchers, s.created_by AS createdBy, s.comment,
  s.ends_at AS endsAt, s.created_at AS createdAt, s.expired_at AS expiredAt`;

const toSilence = (row: Row): StoredSilence => ({ ...row, matchers: JSON.parse(row.matchers) as Matcher[] });

// Reads and writes the silences magi created.
export function createSilenceStore(db: Database.Database) {
  const insert = db.prepare(`INSERT OR REPLACE INTO alert_silences (silence_id, route, group_id, matchers, created_by, comment, ends_at, created_at)
    VALUES (@silenceId, @route, @groupId, @matchers, @createdBy, @comment, @endsAt, @createdAt)`);
  const insertMark = db.prepare("INSERT OR IGNORE INTO silence_marks (silence_id, group_id) VALUES (?, ?)");
  const byId = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM alert_silences s WHERE silence_id = ?`);
  const ofGroup = db.prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM silence_marks m JOIN alert_silences s USING (silence_id)
    WHERE m.group_id = ? AND s.expired_at IS NULL AND s.ends_at > ? ORDER BY s.created_at, s.silence_id`);
  const marked = db.prepare<[string], { groupId: number }>("SELECT group_id AS groupId FROM silence_marks WHERE silence_id = ? ORDER BY group_id");
  const expire = db.prepare("UPDATE alert_silences SET expired_at = ? WHERE silence_id = ? AND expired_at IS NULL");
  const due = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM alert_silences s WHERE expired_at IS NULL AND ends_at <= ? ORDER BY ends_at, silence_id`);
  const next = db.prepare<[], { at: number | null }>("SELECT MIN(ends_at) AS at FROM alert_silences WHERE expired_at IS NULL");
  // The room has every revision but the newest: take that one as told, so the poster leaves it alone.
  const holdBack = db.prepare("UPDATE alert_groups SET posted_revision = revision WHERE id = ? AND posted_revision = revision - 1");
  const held = db.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM alert_silences s WHERE silence_id LIKE ? || '%'
    AND expired_at IS NULL AND ends_at > ? ORDER BY ends_at, silence_id`);
  return {
    // Remembers a silence (accepted by Alertmanager, or held by magi) and the groups whose messages show it.
    record(silence: Omit<StoredSilence, "expiredAt">, groupIds: readonly number[]): void {
      db.transaction(() => {
        insert.run({ ...silence, matchers: JSON.stringify(silence.matchers) });
        for (const id of groupIds) insertMark.run(silence.silenceId, id);
      })();
    },
    // Notes that a group's message shows a silence (a group that opened while magi's own silence covers it).
    mark: (silenceId: string, groupId: number): void => void insertMark.run(silenceId, groupId),
    get: (silenceId: string): StoredSilence | undefined => {
      const row = byId.get(silenceId);
      return row && toSilence(row);
    },
    // The groups whose messages show the silence.
    groupsOf: (silenceId: string): number[] => marked.all(silenceId).map((r) => r.groupId),
    // The silences a group's message shows: not expired by anyone, and not yet ended at now.
    activeFor: (groupId: number, now: number): StoredSilence[] => ofGroup.all(groupId, now).map(toSilence),
    // Notes that a silence stopped counting; false when it was unknown or already expired.
    markExpired: (silenceId: string, now: number): boolean => expire.run(now, silenceId).changes === 1,
    // Silences whose end time has passed but whose end magi has not yet shown, soonest first.
    due: (now: number): StoredSilence[] => due.all(now).map(toSilence),
    // The soonest end time not yet shown, if any.
    nextEnd: (): number | undefined => next.get()?.at ?? undefined,
    // Keeps a group's newest change from the room while a silence magi holds covers it (call right after recording
    // the change, in the same transaction); the room hears of it when the silence ends and the message is restyled.
    holdBack: (groupId: number): void => void holdBack.run(groupId),
    // The silences magi holds itself that count at now.
    activeHeld: (now: number): StoredSilence[] => held.all(HELD_SILENCE_PREFIX, now).map(toSilence),
  };
}

// The store's type.
export type SilenceStore = ReturnType<typeof createSilenceStore>;
