// Host keys pinned by enrollment, one row per host, so a pin outlives restarts.
import type Database from "better-sqlite3";
import type { HostKeyStore, StoredHostKey } from "../runners/enroll/types.ts";

const COLUMNS = "host, key_line AS keyLine, fingerprint, pinned_at AS pinnedAt, pinned_by AS pinnedBy";

// A HostKeyStore over the host_keys table.
export function createHostKeyStore(db: Database.Database): HostKeyStore {
  const select = db.prepare<[string], StoredHostKey>(`SELECT ${COLUMNS} FROM host_keys WHERE host = ?`);
  const all = db.prepare<[], StoredHostKey>(`SELECT ${COLUMNS} FROM host_keys ORDER BY host`);
  const upsert = db.prepare(
    `INSERT INTO host_keys (host, key_line, fingerprint, pinned_at, pinned_by) VALUES (@host, @keyLine, @fingerprint, @pinnedAt, @pinnedBy)
     ON CONFLICT (host) DO UPDATE SET key_line = excluded.key_line, fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by`,
  );
  return {
    get: (host) => select.get(host),
    list: () => all.all(),
    pin: (key) => void upsert.run(key),
  };
}
