// Keeps magi's state private to its user: the database holds the audit log and the sync token.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";

// The files SQLite keeps for one database in WAL mode.
export const databaseFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`];

// Creates the database's directory (0700, only if missing) and an empty database file (0600) before SQLite opens it.
// SQLite creates -wal and -shm with the database file's mode (os_unix.c, findCreateFileMode), so this covers them
// without touching the process umask, which other code shares.
export function createPrivateDatabaseFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
}

// Takes group and other access away from an existing database and its -wal/-shm; returns the files it changed.
export function tightenDatabaseFiles(path: string): string[] {
  const changed: string[] = [];
  for (const file of databaseFiles(path)) {
    if (!existsSync(file) || (statSync(file).mode & 0o077) === 0) continue;
    chmodSync(file, 0o600);
    changed.push(file);
  }
  return changed;
}
