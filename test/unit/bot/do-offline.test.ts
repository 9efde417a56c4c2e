// `magi do audit` and `magi do jobs` with no magi running: the real CLI reads a real database file read-only, as the
// Unix user running the test (mapped in cli.users); other commands are still refused. Run alone:
// npx vitest run test/unit/bot/do-offline.test.ts
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { createJobStore } from "../../../storage/job-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { MINIMAL_YAML } from "../config/minimal-config.ts";

const BIN = fileURLToPath(new URL("../../../bot/bin.mjs", import.meta.url));
const NOTE = "(magi is not running; read from the database)";

// Runs `magi do --config FILE words…` and resolves with its exit code and output.
function magiDo(config: string, words: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "do", "--config", config, ...words], { env: { PATH: process.env.PATH ?? "" } }, (error, out, err) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err });
    });
  });
}

describe("magi do while magi is not running", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-do-offline-"));
  const dbPath = join(dir, "magi.sqlite");
  const config = join(dir, "config.yaml");
  const userConfig = join(dir, "as-user.yaml");
  const me = userInfo().username;

  beforeAll(() => {
    const db = openDatabase(dbPath);
    const audit = createAuditLog(db);
    audit.record({ at: Date.UTC(2026, 0, 2, 3, 4), roomId: "!room:localhost", eventId: "$a", sender: "@dan:localhost", text: "!deploy misato", level: 4, command: "deploy", decision: "allowed", outcome: "job 1 succeeded" });
    createJobStore(db).insert({ command: "deploy", host: "misato", requester: "@dan:localhost", roomId: "!room:localhost", mutating: true, createdAt: Date.UTC(2026, 0, 2, 3, 5) });
    db.close();
    const base = `${MINIMAL_YAML}storage:\n  path: ${dbPath}\naccess:\n  users:\n    "@dan:localhost": admin\n    "@ann:localhost": communication\n`;
    writeFileSync(config, `${base}cli:\n  users:\n    ${me}: "@dan:localhost"\n`);
    writeFileSync(userConfig, `${base}cli:\n  users:\n    ${me}: "@ann:localhost"\n`);
  });

  it("reads audit and jobs from the database, through the same access check and views, and writes nothing", async () => {
    const before = readFileSync(dbPath);
    const audit = await magiDo(config, ["audit", "5"]);
    expect(audit).toMatchObject({ code: 0, err: "" });
    expect(audit.out).toMatch(/\n2026-01-02 03:04:00 +@dan:localhost +4 +!deploy misato +allowed +job 1 succeeded\n/);
    expect(audit.out.trimEnd().endsWith(NOTE)).toBe(true);
    const jobs = await magiDo(config, ["jobs"]);
    expect(jobs.code).toBe(0);
    expect(jobs.out).toMatch(/\n1 +deploy misato +@dan:localhost +queued/);
    expect(readFileSync(dbPath).equals(before)).toBe(true);
    // A user below the command's level is refused as in chat.
    const denied = await magiDo(userConfig, ["audit"]);
    expect(denied.code).toBe(1);
    expect(denied.out).toBe(`!audit needs level 4 (admin); you have 1 (communication).\n${NOTE}\n`);
  }, 60_000);

  it("still refuses everything else, and audit without a config to find the database", async () => {
    const status = await magiDo(config, ["status"]);
    expect(status.code).toBe(1);
    expect(status.err).toMatch(/^magi do: magi is not running \(nothing answers on .*magi\.sock\)/);
    const bySocket = await new Promise<{ err: string }>((resolve) => {
      execFile(process.execPath, [BIN, "do", "--socket", join(dir, "cli", "magi.sock"), "audit"], { env: { PATH: process.env.PATH ?? "" } }, (_e, _o, err) => resolve({ err }));
    });
    expect(bySocket.err).toContain("to read audit from the database instead, give --config FILE (or MAGI_CONFIG)");
  }, 60_000);
});
