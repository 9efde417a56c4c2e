// The healthchecks-compatible ping routes against a real SQLite check store: what each good and bad ping is answered,
// and that a refused ping stores nothing. Run alone: npx vitest run test/unit/http/ping-routes.test.ts
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareChecks } from "../../../bot/start-checks.ts";
import { configSchema } from "../../../config/schema.ts";
import { createHttpServer } from "../../../http/create-server.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const UUID = "0f2c6f4e-3a41-4c1e-9d7b-5b6a1e2f3c4d";
const OTHER_UUID = "1f2c6f4e-3a41-4c1e-9d7b-5b6a1e2f3c4d";
const KEY = "k3y-0123456789abcdefghij";
const RID = "5a1c6f4e-3a41-4c1e-9d7b-5b6a1e2f3c4d";

let db: ReturnType<typeof openDatabase>;
let app: ReturnType<typeof createHttpServer>;

function setUp(pings: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "magi-pings-"));
  writeFileSync(join(dir, "ping-key"), `${KEY}\n`);
  writeFileSync(join(dir, "bearer"), "bearer-0123456789\n");
  writeFileSync(join(dir, "health"), "health-0123456789\n");
  const config = configSchema.parse({
    matrix: { homeserver_url: "http://127.0.0.1:1", user_id: "@magi:x", access_token_env: "T" }, rooms: { "!r:x": {} },
    http: { listen: "127.0.0.1:0", credentials_file: join(dir, "health") },
    checks: { "backup-nas": { uuid: UUID, slug: "backup-nas", schedule: "1d", room: "!r:x" } },
    pings: Object.fromEntries(Object.entries({ key_file: "ping-key", ...pings }).map(([k, v]) => [k, typeof v === "string" ? join(dir, v) : v])),
  });
  db = openDatabase(":memory:");
  const log = pino({ level: "silent" });
  const checks = prepareChecks(config, db, log);
  app = createHttpServer({ bodyLimit: 1 << 20, healthSecret: "health-0123456789", routes: new Map(), log, alerts: { accept: async () => {} }, health: { check: () => ({ ok: true }) }, pings: checks.pings! });
}
afterEach(async () => {
  await app.close();
  db.close();
});

const pings = () => db.prepare("SELECT kind, exit_status AS exit, rid, method, body_bytes AS bytes, duration_ms AS duration FROM check_pings ORDER BY id").all();
const record = () => db.prepare("SELECT last_ping_at AS lastPing, started_at AS started FROM checks").get();

describe("ping routes", () => {
  beforeEach(() => setUp({ body_limit_bytes: 2048 }));

  it("answers OK to every healthchecks URL form and method, and stores each ping", async () => {
    for (const [method, url] of [["HEAD", `/ping/${UUID}/start?rid=${RID}`], ["GET", `/ping/${UUID}/log`], ["POST", `/ping/${KEY}/backup-nas/2`], ["GET", `/ping/${KEY}/backup-nas/fail`], ["POST", `/ping/${UUID}/0?rid=${RID}`], ["GET", `/ping/${UUID}`]] as const) {
      const r = await app.inject({ method, url, ...(method === "POST" ? { payload: "log line\n" } : {}) });
      expect([method, url, r.statusCode, method === "HEAD" ? "OK" : r.body]).toEqual([method, url, 200, "OK"]);
      expect(r.headers["ping-body-limit"]).toBe("2048");
    }
    expect(pings()).toEqual([
      { kind: "start", exit: null, rid: RID, method: "HEAD", bytes: 0, duration: null },
      { kind: "log", exit: null, rid: null, method: "GET", bytes: 0, duration: null },
      { kind: "fail", exit: 2, rid: null, method: "POST", bytes: 9, duration: expect.any(Number) },
      { kind: "fail", exit: null, rid: null, method: "GET", bytes: 0, duration: null },
      { kind: "success", exit: 0, rid: RID, method: "POST", bytes: 9, duration: expect.any(Number) },
      { kind: "success", exit: null, rid: null, method: "GET", bytes: 0, duration: null },
    ]);
  });

  it("keeps a POST body byte for byte", async () => {
    const body = Buffer.from("borg: repository missing\n\u00e9\n");
    expect((await app.inject({ method: "POST", url: `/ping/${UUID}/fail`, payload: body })).statusCode).toBe(200);
    expect((db.prepare("SELECT body FROM check_pings").get() as { body: Buffer }).body.equals(body)).toBe(true);
  });

  it("refuses bad pings with their status codes and stores nothing", async () => {
    const cases: [string, string, number, string][] = [
      ["GET", `/ping/${OTHER_UUID}`, 404, "not found"],
      ["GET", `/ping/wrong-key-0123456789abcdef/backup-nas`, 404, "not found"],
      ["GET", `/ping/${KEY}/no-such-slug`, 404, "not found"],
      ["GET", `/ping/${UUID}/256`, 400, 'expected /start, /fail, /log or an exit status 0-255 after the check, got "256"'],
      ["GET", `/ping/${UUID}/-1`, 400, 'expected /start, /fail, /log or an exit status 0-255 after the check, got "-1"'],
      ["GET", `/ping/${UUID}/007`, 400, 'expected /start, /fail, /log or an exit status 0-255 after the check, got "007"'],
      ["GET", `/ping/${UUID}/start/extra`, 400, "too many path segments after the check"],
      ["GET", `/ping/${UUID}?rid=not-a-uuid`, 400, "rid must be a uuid"],
      // (Raw /ping/../healthz and /ping/%2e%2e/healthz are in test/e2e/checks.test.ts: inject normalises them away.)
      ["GET", `/ping/${UUID}/st%61rt`, 400, "malformed ping URL: path segments may hold only letters, digits, dashes and underscores"],
      ["GET", "/ping/short/backup-nas", 400, "malformed ping URL: expected /ping/<uuid> or /ping/<ping-key>/<slug>"],
      ["POST", `/ping/${UUID}/fail`, 413, "body is over the limit of 2048 bytes"],
      ["PUT", `/ping/${UUID}`, 405, "PUT is not allowed here; use GET, HEAD or POST"],
    ];
    for (const [method, url, status, text] of cases) {
      const r = await app.inject({ method: method as "GET", url, ...(status === 413 ? { payload: "x".repeat(2049) } : {}) });
      expect([url, r.statusCode, r.body]).toEqual([url, status, text]);
    }
    expect(pings()).toEqual([]);
    expect(record()).toEqual({ lastPing: null, started: null });
  });
});

describe("ping routes with a bearer token", () => {
  beforeEach(() => setUp({ credentials_file: "bearer" }));

  it("refuses a ping without the token (401) before looking the check up, and takes one with it", async () => {
    expect((await app.inject({ method: "GET", url: `/ping/${UUID}` })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: `/ping/${OTHER_UUID}`, headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
    expect(pings()).toEqual([]);
    const r = await app.inject({ method: "GET", url: `/ping/${UUID}`, headers: { authorization: "Bearer bearer-0123456789" } });
    expect([r.statusCode, r.body, r.headers["ping-body-limit"]]).toEqual([200, "OK", "100000"]);
    expect(pings()).toHaveLength(1);
  });
});
