// Opens magi's database for reading only: `magi do audit` and `magi do jobs` while magi is not running. Nothing is
// created, migrated or written.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.ts";

// The database at path, read-only, or why it cannot be read (missing, not readable, another schema version).
export function openDatabaseReadOnly(path: string): { db: Database.Database } | { problem: string } {
  if (path === ":memory:" || !existsSync(path)) return { problem: `there is no database at ${path} to read` };
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
  } catch (error) {
    return { problem: `cannot read the database ${path}: ${(error as Error).message}` };
  }
  // Another version's schema may lack a column the queries name; a running magi migrates it, this never writes.
  const version = Number(db.pragma("user_version", { simple: true }));
  if (version !== MIGRATIONS.length) {
    db.close();
    return { problem: `the database ${path} has schema version ${version}, this magi reads version ${MIGRATIONS.length}; start magi once to migrate it` };
  }
  return { db };
}
