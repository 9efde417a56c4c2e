// matrix-bot-sdk's storage interface over SQLite, so the sync token survives restarts in the same file as everything else.
import type { IFilterInfo, IStorageProvider } from "matrix-bot-sdk";
import type { KvStore } from "../storage/kv-store.ts";

// An IStorageProvider whose state lives in the kv table.
export function createSqliteStorageProvider(kv: KvStore): IStorageProvider {
  return {
    setSyncToken: (token) => (token === null ? kv.set("sync_token", "") : kv.set("sync_token", token)),
    getSyncToken: () => kv.get("sync_token") || null,
    setFilter: (filter) => kv.set("sync_filter", JSON.stringify(filter)),
    getFilter: () => JSON.parse(kv.get("sync_filter") ?? "null") as IFilterInfo,
    storeValue: (key, value) => kv.set(`sdk:${key}`, value),
    readValue: (key) => kv.get(`sdk:${key}`),
  };
}
