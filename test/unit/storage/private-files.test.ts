import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../storage/open-database.ts";

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("database file permissions", () => {
  let umask: number;
  beforeEach(() => void (umask = process.umask(0o022)));
  afterEach(() => void process.umask(umask));

  it("creates the database, its -wal and -shm 0600 and the state directory 0700 under umask 022", () => {
    const state = join(mkdtempSync(join(tmpdir(), "magi-perm-")), "var", "magi");
    const path = join(state, "magi.sqlite");
    const db = openDatabase(path);
    db.prepare("INSERT INTO kv (key, value) VALUES ('sync_token', 's123')").run();
    expect([existsSync(`${path}-wal`), existsSync(`${path}-shm`)]).toEqual([true, true]);
    expect([modeOf(path), modeOf(`${path}-wal`), modeOf(`${path}-shm`)]).toEqual(["600", "600", "600"]);
    expect([modeOf(state), modeOf(join(state, ".."))]).toEqual(["700", "700"]);
    db.close();
  });

  it("tightens an existing 0644 database and its -wal/-shm at start, with one log line naming them, and leaves an existing directory alone", () => {
    const state = mkdtempSync(join(tmpdir(), "magi-perm-"));
    chmodSync(state, 0o755);
    const path = join(state, "magi.sqlite");
    // An older magi's files, still open so that -wal and -shm exist.
    const old = new Database(path);
    old.pragma("journal_mode = WAL");
    old.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    expect([modeOf(path), modeOf(`${path}-wal`), modeOf(`${path}-shm`)]).toEqual(["644", "644", "644"]);
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const db = openDatabase(path, { info: (fields, message) => void lines.push({ fields, message }) });
    expect([modeOf(path), modeOf(`${path}-wal`), modeOf(`${path}-shm`)]).toEqual(["600", "600", "600"]);
    expect(lines).toEqual([{ fields: { files: [path, `${path}-wal`, `${path}-shm`] }, message: `database files were readable by others; now 0600: ${path}, ${path}-wal, ${path}-shm` }]);
    expect(modeOf(state)).toBe("755");
    db.close();
    const again: string[] = [];
    openDatabase(path, { info: (_f, message) => void again.push(message) }).close();
    expect(again).toEqual([]);
    old.close();
  });
});
