import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { applyMigrations, NewerSchemaError } from "../../../storage/migrate.ts";
import { MIGRATIONS } from "../../../storage/migrations.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { createProcessedEvents } from "../../../storage/processed-events.ts";
import { createKvStore } from "../../../storage/kv-store.ts";

const tempDb = () => join(mkdtempSync(join(tmpdir(), "magi-db-")), "magi.sqlite");

describe("storage", () => {
  it("creates a WAL database at the latest schema version", () => {
    const path = tempDb();
    const db = openDatabase(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const again = openDatabase(path);
    expect(again.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it("refuses a database from a newer magi and leaves it untouched", () => {
    const path = tempDb();
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(NewerSchemaError);
    expect(() => openDatabase(path)).toThrow(`has schema version ${MIGRATIONS.length + 1}, but this magi only knows up to ${MIGRATIONS.length}`);
    const check = new Database(path);
    expect(check.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length + 1);
    check.close();
  });

  it("applies migrations in one transaction: a failing step leaves the old version", () => {
    const db = new Database(":memory:");
    expect(() => applyMigrations(db, ["CREATE TABLE a (x)", "CREATE TABLE b (", "CREATE TABLE c (x)"], "mem")).toThrow();
    expect(db.pragma("user_version", { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    applyMigrations(db, ["CREATE TABLE a (x)"], "mem");
    applyMigrations(db, ["CREATE TABLE a (x)", "CREATE TABLE b (x)"], "mem");
    expect(db.pragma("user_version", { simple: true })).toBe(2);
  });

  it("claims an event id once, across reopening", () => {
    const path = tempDb();
    const db = openDatabase(path);
    expect(createProcessedEvents(db).claim("$e1", "!r", 1)).toBe(true);
    expect(createProcessedEvents(db).claim("$e1", "!r", 2)).toBe(false);
    db.close();
    const reopened = openDatabase(path);
    const processed = createProcessedEvents(reopened);
    expect(processed.claim("$e1", "!r", 3)).toBe(false);
    expect(processed.pruneBefore(10)).toBe(1);
    reopened.close();
  });

  it("records audit rows with outcomes, newest first", () => {
    const db = openDatabase(":memory:");
    const audit = createAuditLog(db);
    const base = { roomId: "!r", eventId: "$e", sender: "@a:x", level: 1, command: "ping" } as const;
    const first = audit.record({ ...base, at: 1, text: "!ping", decision: "allowed" });
    audit.record({ ...base, at: 2, text: "!audit", decision: "denied" });
    audit.setOutcome(first, "ok");
    expect(audit.recent(5).map((r) => [r.text, r.decision, r.outcome])).toEqual([["!audit", "denied", null], ["!ping", "allowed", "ok"]]);
    expect(() => audit.record({ ...base, at: 3, text: "x", decision: "bogus" as "allowed" })).toThrow(/CHECK constraint/);
    const kv = createKvStore(db);
    kv.set("k", "1");
    kv.set("k", "2");
    expect(kv.get("k")).toBe("2");
  });
});
