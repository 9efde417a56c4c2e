// Dead-man's-switch checks: each check's stored facts (the state is computed from them) and its recent pings. A ping is
// committed here before magi answers OK; what the room was told is recorded in the same transaction as the message.
import type Database from "better-sqlite3";
import { applyPing, type PingFacts } from "../runners/checks/apply-ping.ts";
import type { CheckRecord, PingKind } from "../runners/checks/types.ts";

// How many pings are kept per check; older ones are pruned as new ones arrive.
export const PINGS_KEPT = 100;

// One stored ping.
export interface StoredPing {
  id: number;
  at: number;
  kind: PingKind;
  exit: number | null;
  rid: string | null;
  durationMs: number | null;
  method: string;
  remote: string | null;
  bodyBytes: number;
}

// A ping to store: the facts, how it arrived, and its body (already within the limit).
export type NewPing = PingFacts & { method: string; remote: string | null; body: Buffer };

const RECORD = `created_at AS createdAt, paused_at AS pausedAt, resumed_at AS resumedAt, last_ping_at AS lastPingAt,
  started_at AS startedAt, started_rid AS startedRid, last_success_at AS lastSuccessAt, last_fail_at AS lastFailAt,
  last_exit AS lastExit, last_duration_ms AS lastDurationMs, announced`;
const PING = "id, at, kind, exit_status AS exit, rid, duration_ms AS durationMs, method, remote, body_bytes AS bodyBytes";

// Reads and writes checks and pings.
export function createCheckStore(db: Database.Database) {
  const ensure = db.prepare("INSERT OR IGNORE INTO checks (name, created_at) VALUES (?, ?)");
  const read = db.prepare<[string], CheckRecord>(`SELECT ${RECORD} FROM checks WHERE name = ?`);
  const write = db.prepare(`UPDATE checks SET last_ping_at = @lastPingAt, started_at = @startedAt, started_rid = @startedRid,
    last_success_at = @lastSuccessAt, last_fail_at = @lastFailAt, last_exit = @lastExit, last_duration_ms = @lastDurationMs WHERE name = @name`);
  const ridStart = db.prepare<[string, string], { at: number }>("SELECT at FROM check_pings WHERE check_name = ? AND rid = ? AND kind = 'start' ORDER BY id DESC LIMIT 1");
  const insertPing = db.prepare(`INSERT INTO check_pings (check_name, at, kind, exit_status, rid, duration_ms, method, remote, body, body_bytes)
    VALUES (@name, @at, @kind, @exit, @rid, @durationMs, @method, @remote, @body, @bodyBytes)`);
  const prune = db.prepare("DELETE FROM check_pings WHERE check_name = ? AND id <= (SELECT id FROM check_pings WHERE check_name = ? ORDER BY id DESC LIMIT 1 OFFSET ?)");
  const recent = db.prepare<[string, number], StoredPing>(`SELECT ${PING} FROM check_pings WHERE check_name = ? ORDER BY id DESC LIMIT ?`);
  const lastBody = db.prepare<[string], { at: number; kind: PingKind; body: Buffer }>("SELECT at, kind, body FROM check_pings WHERE check_name = ? AND body_bytes > 0 ORDER BY id DESC LIMIT 1");
  const lastFailBody = db.prepare<[string], { body: Buffer }>("SELECT body FROM check_pings WHERE check_name = ? AND kind = 'fail' ORDER BY id DESC LIMIT 1");
  const pause = db.prepare("UPDATE checks SET paused_at = ?, paused_by = ? WHERE name = ? AND paused_at IS NULL");
  // The pause interrupted the story the room was told: resuming starts a new one, so a check still (or again) down is
  // announced once more, and an "up again" needs a DOWN announced after the resume.
  const resume = db.prepare("UPDATE checks SET paused_at = NULL, paused_by = NULL, resumed_at = ?, announced = 'none' WHERE name = ? AND paused_at IS NOT NULL");
  const announce = db.prepare("UPDATE checks SET announced = ? WHERE name = ?");

  const get = (name: string): CheckRecord => {
    const row = read.get(name);
    if (!row) throw new Error(`check ${name} is not in the database; call ensure() at start`);
    return row;
  };

  return {
    // Adds rows for configured checks not seen before; a check is watched from the moment it first appears.
    ensure(names: string[], now: number): void {
      db.transaction(() => names.forEach((name) => ensure.run(name, now)))();
    },
    get,
    // Stores a ping and its effect on the check in one transaction.
    recordPing(name: string, ping: NewPing): StoredPing {
      return db.transaction(() => {
        const before = get(name);
        const startedAt = ping.rid !== null && ping.kind !== "start" && ping.kind !== "log" ? ridStart.get(name, ping.rid)?.at : undefined;
        const { record, durationMs } = applyPing(before, ping, startedAt);
        write.run({ ...record, name });
        const id = Number(insertPing.run({ name, at: ping.at, kind: ping.kind, exit: ping.exit, rid: ping.rid, durationMs, method: ping.method, remote: ping.remote, body: ping.body, bodyBytes: ping.body.length }).lastInsertRowid);
        prune.run(name, name, PINGS_KEPT);
        return { id, at: ping.at, kind: ping.kind, exit: ping.exit, rid: ping.rid, durationMs, method: ping.method, remote: ping.remote, bodyBytes: ping.body.length };
      }).immediate();
    },
    // The newest pings, newest first.
    recentPings: (name: string, limit: number): StoredPing[] => recent.all(name, limit),
    // The newest ping body that is not empty, with when and how it came.
    lastBody: (name: string): { at: number; kind: PingKind; body: Buffer } | undefined => lastBody.get(name),
    // The body of the newest failure ping, for the failure message.
    lastFailBody: (name: string): string | undefined => lastFailBody.get(name)?.body.toString("utf8"),
    // Pauses a check; false when it was already paused.
    pause: (name: string, by: string, now: number): boolean => pause.run(now, by, name).changes === 1,
    // Resumes a paused check, whose schedule then counts from now and whose story starts anew; false when it was not paused.
    resume: (name: string, now: number): boolean => resume.run(now, name).changes === 1,
    // Re-reads the check and lets decide() queue a message (the outbox shares this database) and name the announced
    // state to store, all in one transaction: a crash can neither lose the message nor post it twice.
    announce(name: string, decide: (record: CheckRecord) => CheckRecord["announced"] | undefined): boolean {
      return db.transaction(() => {
        const next = decide(get(name));
        if (next === undefined) return false;
        announce.run(next, name);
        return true;
      }).immediate();
    },
  };
}

// The store's type.
export type CheckStore = ReturnType<typeof createCheckStore>;
