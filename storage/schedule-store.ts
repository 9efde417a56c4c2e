// Scheduled checks' memory: per schedule, host and problem key, whether the room was told of it and the run of rounds
// that disagree so far. Kept in SQLite so a restart neither announces a known problem again nor forgets one.
import type Database from "better-sqlite3";
import type { Track } from "../runners/schedules/track.ts";

// A stored track with the host and key it belongs to.
export interface StoredTrack extends Track {
  host: string;
  key: string;
}

type Row = Omit<StoredTrack, "confirmed"> & { confirmed: number };

const COLUMNS = "host, key, confirmed, streak, streak_since AS streakSince, problem_since AS problemSince, detail";

const toTrack = (row: Row): StoredTrack => ({ ...row, confirmed: row.confirmed === 1 });

// Reads and writes the tracks of every schedule.
export function createScheduleStore(db: Database.Database) {
  const ofHost = db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM schedule_tracks WHERE schedule = ? AND host = ? ORDER BY key`);
  const confirmed = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM schedule_tracks WHERE schedule = ? AND confirmed = 1 ORDER BY host, key`);
  const upsert = db.prepare(`INSERT INTO schedule_tracks (schedule, host, key, confirmed, streak, streak_since, problem_since, detail, updated_at)
    VALUES (@schedule, @host, @key, @confirmed, @streak, @streakSince, @problemSince, @detail, @now)
    ON CONFLICT (schedule, host, key) DO UPDATE SET confirmed = excluded.confirmed, streak = excluded.streak, streak_since = excluded.streak_since,
      problem_since = excluded.problem_since, detail = excluded.detail, updated_at = excluded.updated_at`);
  const remove = db.prepare("DELETE FROM schedule_tracks WHERE schedule = ? AND host = ? AND key = ?");
  const removeHost = db.prepare("DELETE FROM schedule_tracks WHERE schedule = ? AND host = ?");
  return {
    // Every remembered problem of a host under a schedule, by key.
    tracksOf: (schedule: string, host: string): StoredTrack[] => ofHost.all(schedule, host).map(toTrack),
    // The problems the room was told of and that have not recovered, by host.
    confirmed: (schedule: string): StoredTrack[] => confirmed.all(schedule).map(toTrack),
    // Stores a key's track, or forgets the key when there is nothing left to remember.
    save(schedule: string, host: string, key: string, track: Track | undefined, now: number): void {
      if (!track) remove.run(schedule, host, key);
      else upsert.run({ schedule, host, key, ...track, confirmed: track.confirmed ? 1 : 0, now });
    },
    // Forgets everything about a host the schedule no longer watches, so watching it again starts clean.
    forgetHost: (schedule: string, host: string): void => void removeHost.run(schedule, host),
    // Runs work in one write transaction, so a round's tracks and the alerts they raise commit together.
    transact: <T>(work: () => T): T => db.transaction(work).immediate(),
  };
}

// The store's type.
export type ScheduleStore = ReturnType<typeof createScheduleStore>;
