// The WAL is checkpointed by a thread of its own, never inside magi's commits; if that thread cannot work, the
// database checkpoints itself again. Real SQLite files. Run alone: npx vitest run test/unit/storage/checkpointer.test.ts
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../storage/open-database.ts";
import { startCheckpointer, type CheckpointResult } from "../../../storage/start-checkpointer.ts";
import { makeTestDir } from "../../temp-dir.ts";
import { waitUntil } from "../../wait-until.ts";

function openFile() {
  const dir = makeTestDir("magi-checkpoint");
  const path = join(dir, "magi.sqlite");
  return { path, db: openDatabase(path) };
}

// Writes rows enough to pass SQLite's automatic checkpoint limit (1,000 pages) several times over.
function writeMany(db: ReturnType<typeof openDatabase>) {
  db.exec("CREATE TABLE filler (body TEXT)");
  const insert = db.prepare("INSERT INTO filler (body) VALUES (?)");
  for (let i = 0; i < 3000; i++) insert.run("x".repeat(4000));
}

// What writeMany stores: 3,000 rows of 4,000 bytes.
const WRITTEN_BYTES = 3000 * 4000;

// Runs a command; resolves with its exit code and what it printed.
const run = (command: string, args: string[]) => new Promise<{ code: number | null; stdout: string }>((resolve) => {
  execFile(command, args, (error, stdout) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout }));
});

const warnings: string[] = [];
const log = { warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };

describe("the WAL checkpoint thread", () => {
  it("turns off checkpoints in the writer's commits and copies the WAL into the database from its own thread", async () => {
    const { db, path } = openFile();
    const results: CheckpointResult[] = [];
    const checkpointer = startCheckpointer(db, path, log, 50, (r) => results.push(r));
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    writeMany(db);
    // The rows reach the database file, which only a checkpoint writes, and the writer runs none.
    await waitUntil("the thread to checkpoint everything written", () => statSync(path).size > WRITTEN_BYTES);
    expect(results.reduce((n, r) => n + r.checkpointed, 0)).toBeGreaterThan(WRITTEN_BYTES / 4096);
    await checkpointer.stop();
    db.close();
  });

  it("without the thread, the same writes stay in the WAL: the database file does not grow", () => {
    const { db, path } = openFile();
    db.pragma("wal_autocheckpoint = 0");
    writeMany(db);
    expect(statSync(path).size).toBeLessThan(WRITTEN_BYTES / 10);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(WRITTEN_BYTES);
    db.close();
  });

  it("is waited for when it stops, even when nothing else keeps the process alive (no exit 13 mid-shutdown)", async () => {
    const { db, path } = openFile();
    db.close();
    // A process whose last work is stopping the checkpointer: the stop must hold the event loop until the thread is gone.
    const script = `
      const { openDatabase } = await import(${JSON.stringify(new URL("../../../storage/open-database.ts", import.meta.url).href)});
      const { startCheckpointer } = await import(${JSON.stringify(new URL("../../../storage/start-checkpointer.ts", import.meta.url).href)});
      const db = openDatabase(${JSON.stringify(path)});
      const checkpointer = startCheckpointer(db, ${JSON.stringify(path)}, { warn: () => {} });
      await new Promise((r) => setTimeout(r, 100));
      await checkpointer.stop();
      db.close();
      console.log("stopped");`;
    const result = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    expect(result).toEqual({ code: 0, stdout: "stopped\n" });
  });

  it("gives checkpointing back to the writer's commits when the thread cannot open the database", async () => {
    const { db, path } = openFile();
    warnings.length = 0;
    startCheckpointer(db, `${path}-missing`, log, 50);
    await waitUntil("the thread to fail", () => warnings.length > 0);
    expect(warnings[0]).toBe("the WAL checkpoint thread stopped; the database checkpoints in its own commits again");
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    db.close();
  });
});
