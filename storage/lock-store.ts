// Host locks in SQLite: one row per locked host, so a lock outlives restarts until someone releases it.
import type Database from "better-sqlite3";
import type { Lock, LockPort } from "../commands/core/lock-port.ts";

const COLUMNS = "host, holder, reason, locked_at AS since";

// A LockPort over the host_locks table; taking and releasing are single statements or transactions, so two racing callers can't both win.
export function createLockStore(db: Database.Database): LockPort {
  const insert = db.prepare("INSERT INTO host_locks (host, holder, reason, locked_at) VALUES (?, ?, ?, ?) ON CONFLICT (host) DO NOTHING");
  const select = db.prepare<[string], Lock>(`SELECT ${COLUMNS} FROM host_locks WHERE host = ?`);
  const all = db.prepare<[], Lock>(`SELECT ${COLUMNS} FROM host_locks ORDER BY host`);
  const remove = db.prepare("DELETE FROM host_locks WHERE host = ?");
  const find = (host: string) => select.get(host);
  return {
    acquire: (host, holder, reason, now) =>
      db.transaction(() => {
        if (insert.run(host, holder, reason, now).changes === 1) return { ok: true as const, lock: { host, holder, reason, since: now } };
        return { ok: false as const, held: find(host)! };
      })(),
    release: (host, by, isAdmin) =>
      db.transaction(() => {
        const held = find(host);
        if (!held || (held.holder !== by && !isAdmin)) return { ok: false as const, held };
        remove.run(host);
        return { ok: true as const, lock: held };
      })(),
    list: () => all.all(),
    find,
  };
}
