// Applies schema migrations under PRAGMA user_version, all in one transaction.
import type Database from "better-sqlite3";

// Thrown when a database was written by a newer magi: opening it could corrupt data we don't understand.
export class NewerSchemaError extends Error {}

// Brings db up to the last migration; refuses a database newer than this code knows.
export function applyMigrations(db: Database.Database, migrations: readonly string[], label: string): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new NewerSchemaError(
      `database ${label} has schema version ${current}, but this magi only knows up to ${migrations.length}; ` +
        `refusing to open it (upgrade magi, or restore a backup made by this version)`,
    );
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!);
    }
    db.pragma(`user_version = ${migrations.length}`);
  })();
}
