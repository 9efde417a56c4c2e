// Opens magi's SQLite database with the settings every caller needs.
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { applyMigrations } from "./migrate.ts";
import { MIGRATIONS } from "./migrations.ts";

// Opens (creating if needed) the database at path, in WAL mode, migrated to the current schema.
export function openDatabase(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    applyMigrations(db, MIGRATIONS, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
