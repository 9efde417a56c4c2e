// The schema, as an ordered list: entry N brings a database from user_version N to N+1. Never edit a shipped entry.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    processed_at INTEGER NOT NULL
  );
  CREATE INDEX processed_events_at ON processed_events (processed_at);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    level INTEGER NOT NULL,
    command TEXT,
    decision TEXT NOT NULL CHECK (decision IN ('allowed', 'denied', 'invalid', 'stale')),
    outcome TEXT
  );
  `,
];
