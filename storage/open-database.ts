// Opens magi's SQLite database with the settings every caller needs.
import Database from "better-sqlite3";
import { applyMigrations } from "./migrate.ts";
import { MIGRATIONS } from "./migrations.ts";
import { createPrivateDatabaseFile, tightenDatabaseFiles } from "./private-files.ts";

// Where openDatabase reports a change it made to existing files.
export interface OpenLog {
  info(fields: Record<string, unknown>, message: string): void;
}

// Opens (creating if needed) the database at path, in WAL mode, migrated to the current schema; its files are 0600.
export function openDatabase(path: string, log?: OpenLog): Database.Database {
  if (path !== ":memory:") {
    const tightened = tightenDatabaseFiles(path);
    if (tightened.length > 0) log?.info({ files: tightened }, `database files were readable by others; now 0600: ${tightened.join(", ")}`);
    createPrivateDatabaseFile(path);
  }
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
