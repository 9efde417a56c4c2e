// Alerts end to end: a real Alertmanager posts webhooks to magi, which keeps one message per alert group in a real
// Synapse room. Needs Alertmanager built by .ci/run (GOBIN=~/.cache/magi/go-bin). Run alone:
// npx vitest run --project e2e test/e2e/alerts.test.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../bot/synapse/start-synapse.ts";
import { waitUntil } from "../wait-until.ts";
import { createAlertMessages } from "./harness/alert-messages.ts";
import { checkAlertmanager, startAlertmanager, webhookReceiver, type RunningAlertmanager } from "./harness/alertmanager.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";

const present = checkAlertmanager();

const ROUTE_TOKEN = "am-route-token-3f9a2c";
const HEALTH_TOKEN = "health-token-77be01";

describe.skipIf(!present)("alerts from a real Alertmanager", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  let am: RunningAlertmanager;
  let magiUrl: string;
  // A room magi is not invited to yet: alerts for it are stored but cannot be posted.
  let lateRoom: string;

  beforeAll(async () => {
    fx = await createMagiFixture("alerts");
    const magiPort = await findFreePort();
    magiUrl = `http://127.0.0.1:${magiPort}`;
    writeFileSync(join(fx.dir, "route-token"), `${ROUTE_TOKEN}\n`, { mode: 0o600 });
    writeFileSync(join(fx.dir, "health-token"), `${HEALTH_TOKEN}\n`, { mode: 0o600 });
    fx.config.http = { listen: `127.0.0.1:${magiPort}`, credentials_file: join(fx.dir, "health-token"), body_limit_bytes: 65536 };
    lateRoom = await fx.admin.createRoom();
    fx.config.rooms = { [fx.roomId]: {}, [lateRoom]: { max_level: 0 } };
    const routeToken = join(fx.dir, "route-token");
    fx.config.alerts = { routes: { ops: { room: fx.roomId, credentials_file: routeToken }, late: { room: lateRoom, credentials_file: routeToken } } };
    bot = await fx.start();
    am = await startAlertmanager(fx.dir, {
      route: {
        receiver: "magi", group_by: ["alertname"], group_wait: "1s", group_interval: "2s", repeat_interval: "3s",
        routes: [{ receiver: "magi-late", matchers: ['team="late"'] }],
      },
      receivers: [webhookReceiver("magi", `${magiUrl}/alertmanager/ops`, routeToken), webhookReceiver("magi-late", `${magiUrl}/alertmanager/late`, routeToken)],
    });
  }, 120_000);

  afterAll(async () => {
    await am?.stop();
    await bot?.stop();
  });

  const fire = (name: string, startsAt: Date, endsAt?: Date, labels: Record<string, string> = {}) => am.push({ name, startsAt, endsAt, labels });
  // fx exists once beforeAll has run.
  const room = () => createAlertMessages(fx.admin, fx.botUserId, fx.roomId);
  const posts = (name: string, roomId?: string) => room().posts(name, roomId);
  const editsOf = (eventId: string) => room().editsOf(eventId);
  // The log lines of notifications applied to name's group, each saying whether the group's message changed.
  const applied = (name: string) => bot.logs.filter((l) => l.msg === "alert notifications applied" && String(l.groupKey).includes(name));
  const resent = (name: string) => applied(name).filter((l) => l.changed === false && Number(l.unchanged) >= 1).length;
  // News the running magi received itself: changes not read back from what a killed magi had stored.
  const newsReceived = (name: string) => applied(name).filter((l) => l.changed === true && Number(l.revived) === 0).length;
  const waitForPosts = (name: string, count: number, roomId?: string) => room().waitForPosts(name, count, roomId);

  it("posts one message for a firing group, and nothing more when Alertmanager resends it", async () => {
    await fire("DiskFull", new Date(Date.now() - 60_000));
    const [message] = await waitForPosts("DiskFull", 1);
    expect(message!.content.body).toMatch(/^🔥 FIRING: DiskFull — 1 of 1 alert firing\n• 🟠 \[warning\] DiskFull on nas — DiskFull on nas — since \d{4}-\d\d-\d\d \d\d:\d\d UTC — http:\/\/prometheus.example\/graph$/);
    expect(message!.content.msgtype).toBe("m.text");
    // repeat_interval is 3 s: wait for Alertmanager's resend, which magi acknowledges without changing anything.
    await waitUntil("a resend of DiskFull", () => resent("DiskFull") >= 1, { timeoutMs: 20_000 });
    expect(await posts("DiskFull")).toHaveLength(1);
    expect(await editsOf(message!.event_id)).toEqual([]);
  });

  it("posts a second group as its own message", async () => {
    await fire("BackupMissing", new Date(Date.now() - 30_000));
    await waitForPosts("BackupMissing", 1);
    expect(await posts("DiskFull")).toHaveLength(1);
    const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!alerts"));
    expect(reply.content.body).toMatch(/^2 alerts firing in 2 groups:\n```\ngroup +alert +severity +firing for\nops: DiskFull +DiskFull on nas +warning +\d+ (min|s)( \d+ s)?\nops: BackupMissing +BackupMissing on nas +warning +\d+ (min|s)( \d+ s)?\n```$/);
  });

  it("edits the group's message to resolved, once, and posts a new message when it fires again", async () => {
    const [message] = await posts("DiskFull");
    const started = new Date(Date.now() - 60_000);
    await fire("DiskFull", started, new Date());
    const [edit] = await waitUntil("the resolved edit", async () => {
      const edits = await editsOf(message!.event_id);
      return edits.length > 0 ? edits : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(edit!.content["m.new_content"].body).toMatch(/^✅ RESOLVED: DiskFull — fired for /);
    expect(edit!.content.body).toMatch(/^\* ✅ RESOLVED: DiskFull/);
    await fire("DiskFull", new Date());
    await waitForPosts("DiskFull", 2);
    expect(await editsOf(message!.event_id)).toHaveLength(1);
    expect(await posts("BackupMissing")).toHaveLength(1);
  });

  it("posts what it accepted right before being killed, exactly once after the restart", async () => {
    await fire("NodeDown", new Date());
    await bot.waitForLog((l) => l.msg === "alertmanager notification stored" && String(l.groupKey).includes("NodeDown"), 20_000);
    await bot.kill();
    bot = await fx.start();
    await waitForPosts("NodeDown", 1);
    // Alertmanager's resends (and any retry of the send) must not add a second message.
    await waitUntil("a resend of NodeDown to the restarted magi", () => resent("NodeDown") >= 1, { timeoutMs: 20_000 });
    expect(await posts("NodeDown")).toHaveLength(1);
    expect(newsReceived("NodeDown")).toBe(0);
  });

  it("keeps an alert it could not post yet through a crash, and posts it once when the room lets magi in", async () => {
    await fire("LateAlert", new Date(), undefined, { team: "late" });
    await bot.waitForLog((l) => l.msg === "alertmanager notification stored" && String(l.groupKey).includes("LateAlert"), 20_000);
    await bot.waitForLog((l) => l.msg === "cannot join an alert route's room yet; its alerts wait" && l.room === lateRoom, 20_000);
    await bot.kill();
    await fx.admin.invite(lateRoom, fx.botUserId);
    bot = await fx.start();
    const [message] = await waitForPosts("LateAlert", 1, lateRoom);
    expect(message!.content.body).toMatch(/^🔥 FIRING: LateAlert — 1 of 1 alert firing\n/);
    await waitUntil("a resend of LateAlert to the restarted magi", () => resent("LateAlert") >= 1, { timeoutMs: 20_000 });
    expect(await posts("LateAlert", lateRoom)).toHaveLength(1);
    // The message came from what the killed magi stored: nothing the restarted one received was news.
    expect(newsReceived("LateAlert")).toBe(0);
  });

  it("refuses bad requests with their status codes, stores nothing, and keeps serving", async () => {
    const db = new Database(fx.dbPath, { readonly: true });
    const count = () => (db.prepare("SELECT (SELECT count(*) FROM alert_groups) + (SELECT count(*) FROM alert_intake) AS n").get() as { n: number }).n;
    const before = count();
    const auth = { authorization: `Bearer ${ROUTE_TOKEN}`, "content-type": "application/json" };
    const send = (path: string, init: RequestInit) => fetch(`${magiUrl}${path}`, init).then(async (r) => [r.status, ((await r.json()) as { error?: string }).error]);
    expect(await send("/alertmanager/nope", { method: "POST", headers: auth, body: "{}" })).toEqual([404, "no such route: /alertmanager/nope"]);
    expect(await send("/alertmanager/ops", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).toEqual([401, "missing or wrong credentials"]);
    expect(await send("/alertmanager/ops", { method: "POST", headers: { ...auth, authorization: `Bearer ${HEALTH_TOKEN}` }, body: "{}" })).toEqual([401, "missing or wrong credentials"]);
    expect(await send("/alertmanager/ops", { method: "PUT", headers: auth, body: "{}" })).toEqual([405, "PUT is not allowed here; use POST"]);
    expect(await send("/alertmanager/ops", { method: "POST", headers: auth, body: "x".repeat(70_000) })).toEqual([413, "body is over the limit of 65536 bytes"]);
    expect(await send("/alertmanager/ops", { method: "POST", headers: auth, body: "not json" })).toEqual([400, "body is not JSON: Unexpected token 'o', \"not json\" is not valid JSON"]);
    expect(await send("/alertmanager/ops", { method: "POST", headers: auth, body: JSON.stringify({ version: "4", groupKey: "g", status: "firing", receiver: "r", alerts: [{ status: "firing", labels: {} }] }) }))
      .toEqual([400, "alerts.0.startsAt: Invalid input: expected string, received undefined"]);
    expect(count()).toBe(before);
    db.close();
    const health = await fetch(`${magiUrl}/healthz`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect([health.status, await health.json()]).toEqual([200, { status: "ok" }]);
  });

  it("checkpoints its database from a thread of its own, never in its commits", async () => {
    await waitUntil("a WAL checkpoint by magi's checkpoint thread", () => bot.logs.some((l) => l.msg === "WAL checkpointed"), { timeoutMs: 10_000 });
    expect(bot.logs.filter((l) => /WAL checkpoint thread stopped|WAL checkpoint failed/.test(String(l.msg)))).toEqual([]);
  });
});
