// A small key-value table for state such as the sync token and the sync filter.
import type Database from "better-sqlite3";

// Read and write string values by key.
export interface KvStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

// A KvStore backed by the kv table.
export function createKvStore(db: Database.Database): KvStore {
  const select = db.prepare<[string], { value: string }>("SELECT value FROM kv WHERE key = ?");
  const upsert = db.prepare("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  return {
    get: (key) => select.get(key)?.value,
    set: (key, value) => void upsert.run(key, value),
  };
}
