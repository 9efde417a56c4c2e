// POST /forgejo/<route> against a real SQLite push store: signatures, replays, other branches, supersession.
// Run alone: npx vitest run test/unit/http/forgejo-routes.test.ts
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PushView } from "../../../bot/post-pushes.ts";
import { createHttpServer } from "../../../http/create-server.ts";
import type { ForgejoRoute } from "../../../http/forgejo-port.ts";
import { signBody } from "../../../http/forgejo-signature.ts";
import { createPushStore } from "../../../storage/push-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { AFTER, makePush, toBody } from "./forgejo-sample.ts";

const SECRET = "webhook-secret-0123456789";
const ROUTE: ForgejoRoute = { name: "nixos", repository: "team/nixos-config", branch: "main", room: "!ops:example.org", secret: SECRET, mode: "propose", hosts: ["misato"], paths: {} };

let db: ReturnType<typeof openDatabase>;
let store: ReturnType<typeof createPushStore<PushView>>;
let app: ReturnType<typeof createHttpServer>;

beforeEach(() => {
  db = openDatabase(":memory:");
  store = createPushStore<PushView>(db);
  app = createHttpServer({
    bodyLimit: 65536, healthSecret: "health-secret-0123456789", log: pino({ level: "silent" }), routes: new Map(),
    alerts: { accept: async () => {} }, health: { check: () => ({ ok: true }) },
    forgejo: {
      routes: new Map([[ROUTE.name, ROUTE]]),
      sink: {
        accept: (route, p) => ({
          stored: store.record({ route: route.name, delivery: p.delivery, room: route.room, branch: p.summary.branch, sha: p.summary.after, kind: p.kind, hosts: p.hosts, view: { summary: p.summary, touched: p.touched }, receivedAt: 1 }) !== undefined,
        }),
      },
    },
  });
});
afterEach(async () => {
  await app.close();
  db.close();
});

const rows = () => db.prepare("SELECT delivery, sha, kind, hosts, superseded_by AS supersededBy FROM pushes ORDER BY id").all();
const send = async (payload: unknown, opts: { delivery?: string; signature?: string | null; url?: string; method?: "POST" | "GET"; event?: string } = {}) => {
  const body = toBody(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "x-forgejo-event": opts.event ?? "push" };
  if (opts.signature !== null) headers["x-forgejo-signature"] = opts.signature ?? signBody(body, SECRET);
  if (opts.delivery !== "") headers["x-forgejo-delivery"] = opts.delivery ?? "d-1";
  const r = await app.inject({ method: opts.method ?? "POST", url: opts.url ?? "/forgejo/nixos", headers, payload: body });
  return [r.statusCode, r.json()] as const;
};

describe("forgejo push route", () => {
  it("stores a signed push to the watched branch once, and acknowledges a replay without storing it again", async () => {
    expect(await send(makePush())).toEqual([200, { status: "stored", kind: "proposal" }]);
    expect(await send(makePush())).toEqual([200, { status: "duplicate" }]);
    expect(rows()).toEqual([{ delivery: "d-1", sha: AFTER, kind: "proposal", hosts: "misato", supersededBy: null }]);
  });

  it("refuses a missing or wrong signature with 401 and stores nothing", async () => {
    expect(await send(makePush(), { signature: null })).toEqual([401, { error: "missing or wrong signature" }]);
    expect(await send(makePush(), { signature: signBody("{}", SECRET) })).toEqual([401, { error: "missing or wrong signature" }]);
    expect(await send(makePush(), { signature: signBody(toBody(makePush()), "other") })).toEqual([401, { error: "missing or wrong signature" }]);
    expect(rows()).toEqual([]);
  });

  it("ignores other branches, repositories and events, and refuses what is no push", async () => {
    expect(await send(makePush({ ref: "refs/heads/dev" }))).toEqual([200, { status: "ignored", reason: "not team/nixos-config main" }]);
    expect(await send(makePush({ repository: { full_name: "team/other" } }), { delivery: "d-2" })).toEqual([200, { status: "ignored", reason: "not team/nixos-config main" }]);
    expect(await send(makePush(), { event: "issues", delivery: "d-3" })).toEqual([200, { status: "ignored", reason: "event issues is not a push" }]);
    expect(await send({ hello: 1 }, { delivery: "d-4" })).toEqual([400, { error: expect.stringMatching(/^ref: /) }]);
    expect(await send(makePush(), { delivery: "" })).toEqual([400, { error: "missing delivery id (X-Forgejo-Delivery)" }]);
    expect(await send(makePush(), { url: "/forgejo/nope" })).toEqual([404, { error: "no such route: /forgejo/nope" }]);
    expect(await send(makePush(), { method: "GET" })).toEqual([405, { error: "GET is not allowed here; use POST" }]);
    expect(rows()).toEqual([]);
  });

  it("supersedes the branch's older proposals with a newer push, and only announces a force-push", async () => {
    const newer = "9".repeat(40);
    await send(makePush(), { delivery: "a" });
    await send(makePush({ after: newer, forced: true }), { delivery: "b" });
    expect(rows()).toEqual([
      { delivery: "a", sha: AFTER, kind: "proposal", hosts: "misato", supersededBy: newer },
      { delivery: "b", sha: newer, kind: "forced", hosts: "", supersededBy: null },
    ]);
    expect(store.claimRequest(1, "@dan:example.org")).toBe(false);
  });
});
