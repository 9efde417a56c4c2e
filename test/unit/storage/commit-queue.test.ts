// Group commit: works asked for in one turn share one transaction, nobody hears back before it is committed, and a
// failing work undoes only its own writes. Real SQLite files. Run alone: npx vitest run test/unit/storage/commit-queue.test.ts
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCommitQueue } from "../../../storage/commit-queue.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

// A database with one table, a manual flush, and a second connection that sees only what is committed.
function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "magi-commit-"));
  dirs.push(dir);
  const db = openDatabase(join(dir, "magi.sqlite"));
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE item (n INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
  let flush: (() => void) | undefined;
  const queue = createCommitQueue(db, (f) => (flush = f));
  const reader = new Database(join(dir, "magi.sqlite"), { readonly: true });
  const committed = () => (reader.prepare("SELECT n FROM item ORDER BY n").all() as Array<{ n: number }>).map((r) => r.n);
  const insert = (n: number, parent: number | null = null) => () => db.prepare("INSERT INTO item (n, parent) VALUES (?, ?)").run(n, parent).changes;
  return { db, queue, committed, insert, flush: () => flush!() };
}

const settled = async (p: Promise<unknown>) => Promise.race([p.then(() => "resolved", () => "rejected"), new Promise((r) => setTimeout(() => r("pending"), 20))]);

describe("commit queue", () => {
  it("answers nobody before the shared transaction is committed, then everybody with their own result", async () => {
    const { queue, committed, insert, flush } = setUp();
    const a = queue.run(insert(1));
    const b = queue.run(insert(2));
    expect([await settled(a), await settled(b), committed()]).toEqual(["pending", "pending", []]);
    flush();
    expect([await a, await b, committed()]).toEqual([1, 1, [1, 2]]);
  });

  it("rolls back only the work that throws, and rejects only its caller", async () => {
    const { db, queue, committed, insert, flush } = setUp();
    const a = queue.run(insert(1));
    const b = queue.run(() => {
      insert(2)();
      throw new Error("bad notification");
    });
    const c = queue.run(insert(3));
    flush();
    expect([await a, await c]).toEqual([1, 1]);
    await expect(b).rejects.toThrow("bad notification");
    expect(committed()).toEqual([1, 3]);
    expect(db.inTransaction).toBe(false);
  });

  it("is one transaction: a commit that fails rejects every work in it and stores none of them", async () => {
    const { queue, committed, insert, flush } = setUp();
    const good = queue.run(insert(1));
    // The missing parent is only checked at COMMIT (a deferred foreign key), so the whole batch's commit fails.
    const orphan = queue.run(insert(2, 99));
    flush();
    await expect(good).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    // The next batch is a transaction of its own again.
    const later = queue.run(insert(3));
    flush();
    expect([await later, committed()]).toEqual([1, [3]]);
  });

  it("rejects every caller when the database is closed, so the intake answers 5xx and the sender retries", async () => {
    const { db, queue, insert, flush } = setUp();
    const a = queue.run(insert(1));
    db.close();
    flush();
    await expect(a).rejects.toThrow(/not open/);
  });
});
