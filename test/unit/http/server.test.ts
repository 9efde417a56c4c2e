// The HTTP intake's answers to good and bad requests, against a real SQLite alert store. Run alone: npx vitest run test/unit/http/server.test.ts
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeSink } from "./make-sink.ts";
import { createHttpServer } from "../../../http/create-server.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { makePayload } from "./make-payload.ts";

const TOKEN = "route-secret-0123456789";
const HEALTH_TOKEN = "health-secret-0123456789";
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

let db: ReturnType<typeof openDatabase>;
let synced: boolean;
let logged: string;
let app: ReturnType<typeof createHttpServer>;

beforeEach(() => {
  db = openDatabase(":memory:");
  synced = false;
  logged = "";
  const log = pino({ level: "info" }, { write: (line: string) => void (logged += line) });
  app = createHttpServer({
    bodyLimit: 4096, healthSecret: HEALTH_TOKEN, log,
    routes: new Map([["ops", { name: "ops", room: "!ops:example.org", mention: [], secret: TOKEN }]]),
    alerts: makeSink(db),
    health: { check: () => (synced ? { ok: true } : { ok: false, reason: "not synced with the homeserver yet" }) },
  });
});
afterEach(async () => {
  await app.close();
  if (db.open) db.close();
});

const groups = () => (db.prepare("SELECT count(*) AS n FROM alert_groups").get() as { n: number }).n;
const post = (headers: Record<string, string>, payload: unknown, url = "/alertmanager/ops") =>
  app.inject({ method: "POST", url, headers: { "content-type": "application/json", ...headers }, payload: typeof payload === "string" ? payload : JSON.stringify(payload) });

describe("HTTP intake", () => {
  it("stores an authenticated Alertmanager notification, by bearer token or basic-auth password", async () => {
    const first = await post(bearer(TOKEN), makePayload("{}:{alertname=\"DiskFull\"}", [{}]));
    expect([first.statusCode, first.json()]).toEqual([200, { status: "stored" }]);
    const again = await post(basic("alertmanager", TOKEN), makePayload("{}:{alertname=\"DiskFull\"}", [{}]));
    expect([again.statusCode, again.json()]).toEqual([200, { status: "stored" }]);
    expect(groups()).toBe(1);
  });

  it("refuses bad requests with their status code and a reason, stores nothing, and never logs the secret", async () => {
    const good = makePayload("g", [{}]);
    const cases: [Promise<{ statusCode: number; json(): unknown }>, number, string][] = [
      [post(bearer(TOKEN), good, "/nowhere"), 404, "no such route: /nowhere"],
      [post(bearer(TOKEN), good, "/alertmanager/dev"), 404, "no such route: /alertmanager/dev"],
      [post({}, good), 401, "missing or wrong credentials"],
      [post(bearer(`${TOKEN}x`), good), 401, "missing or wrong credentials"],
      [post(bearer(HEALTH_TOKEN), good), 401, "missing or wrong credentials"],
      [post(basic(TOKEN, "nope"), good), 401, "missing or wrong credentials"],
      [app.inject({ method: "GET", url: "/alertmanager/ops", headers: bearer(TOKEN) }), 405, "GET is not allowed here; use POST"],
      [post(bearer(TOKEN), { ...good, padding: "x".repeat(5000) }), 413, "body is over the limit of 4096 bytes"],
      [post(bearer(TOKEN), "{not json"), 400, "body is not JSON: Expected property name or '}' in JSON at position 1"],
      [post(bearer(TOKEN), { ...good, version: "3" }), 400, 'version: Invalid input: expected "4"'],
      [post(bearer(TOKEN), { ...good, alerts: [{ ...good.alerts[0], fingerprint: undefined }] }), 400, "alerts.0.fingerprint: Invalid input: expected string, received undefined"],
      [post(bearer(TOKEN), { ...good, alerts: [] }), 400, "alerts: Too small: expected array to have >=1 items"],
    ];
    for (const [response, status, error] of cases) {
      const r = await response;
      expect([r.statusCode, r.json()]).toEqual([status, { error }]);
    }
    expect(groups()).toBe(0);
    expect(logged).toContain('"status":413');
    expect(logged).not.toContain(TOKEN);
    // Still serving.
    expect((await post(bearer(TOKEN), good)).statusCode).toBe(200);
  });

  it("answers 5xx when the notification cannot be committed, so Alertmanager retries", async () => {
    db.close();
    const r = await post(bearer(TOKEN), makePayload("g", [{}]));
    expect([r.statusCode, r.json()]).toEqual([503, { error: "could not store the notification; retry later" }]);
  });

  it("reports health: 503 until synced, then 200; authenticated like every route", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(401);
    const before = await app.inject({ method: "GET", url: "/healthz", headers: bearer(HEALTH_TOKEN) });
    expect([before.statusCode, before.json()]).toEqual([503, { status: "unavailable", reason: "not synced with the homeserver yet" }]);
    synced = true;
    const after = await app.inject({ method: "GET", url: "/healthz", headers: bearer(HEALTH_TOKEN) });
    expect([after.statusCode, after.json()]).toEqual([200, { status: "ok" }]);
    const wrong = await app.inject({ method: "POST", url: "/healthz", headers: bearer(HEALTH_TOKEN) });
    expect([wrong.statusCode, wrong.headers.allow]).toEqual([405, "GET"]);
  });
});
