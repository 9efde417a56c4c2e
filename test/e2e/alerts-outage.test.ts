// Nothing accepted is lost: alerts that arrive while the homeserver is down, or right before magi is killed with
// SIGKILL, are answered 2xx and appear in the room once things are back, each exactly once. A Synapse of its own
// (stopping the shared one would break other files), a real Alertmanager. Run alone:
// npx vitest run --project e2e test/e2e/alerts-outage.test.ts
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { INTAKE_HOLD } from "../../bot/alert-sink.ts";
import { ALERT_HOLD } from "../../bot/post-alerts.ts";
import { findFreePort, startSynapse, type RunningSynapse } from "../../bot/synapse/start-synapse.ts";
import { waitUntil } from "../wait-until.ts";
import { createAlertMessages } from "./harness/alert-messages.ts";
import { buildNotification, postNotification } from "./harness/alert-notification.ts";
import { checkAlertmanager, startAlertmanager, webhookReceiver, type RunningAlertmanager } from "./harness/alertmanager.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";

const present = checkAlertmanager();
const ROUTE_TOKEN = "am-outage-token-5d21e8";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!present)("alerts through a homeserver outage and kill -9", () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "magi-alerts-outage-")), "synapse");
  let hs: RunningSynapse;
  let fx: MagiFixture;
  let bot: BotProcess;
  let am: RunningAlertmanager;
  let routeUrl: string;
  let hsDown = false;

  beforeAll(async () => {
    hs = await startSynapse({ dataDir });
    fx = await createMagiFixture("alerts-outage", { baseUrl: hs.baseUrl, serverName: hs.serverName, sharedSecret: hs.sharedSecret, slackAsToken: "" });
    const magiPort = await findFreePort();
    routeUrl = `http://127.0.0.1:${magiPort}/alertmanager/ops`;
    const routeToken = join(fx.dir, "route-token");
    writeFileSync(routeToken, `${ROUTE_TOKEN}\n`, { mode: 0o600 });
    fx.config.http = { listen: `127.0.0.1:${magiPort}`, credentials_file: routeToken };
    fx.config.alerts = { routes: { ops: { room: fx.roomId, credentials_file: routeToken } } };
    bot = await fx.start();
    am = await startAlertmanager(fx.dir, {
      route: { receiver: "magi", group_by: ["alertname"], group_wait: "1s", group_interval: "2s", repeat_interval: "3s" },
      receivers: [webhookReceiver("magi", routeUrl, routeToken)],
    });
  }, 180_000);

  // A test that failed while the homeserver was down must not take the next one with it.
  afterEach(async () => {
    if (hsDown) await restartSynapse();
  });

  afterAll(async () => {
    await am?.stop();
    await bot?.stop();
    await hs?.stop();
  });

  const room = () => createAlertMessages(fx.admin, fx.botUserId, fx.roomId);
  const notify = (name: string, endsAt?: Date) =>
    postNotification(routeUrl, ROUTE_TOKEN, buildNotification(name, [{ instance: "nas", startsAt: new Date(Date.now() - 60_000), endsAt }]));
  const stored = (name: string) => bot.logs.filter((l) => l.msg === "alertmanager notification stored" && String(l.groupKey).includes(name));
  // What magi still has to say: outbox rows not sent, alert groups whose latest view the room lacks, notifications not applied yet.
  function countUnsent(): number {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      const outbox = db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number };
      const groups = db.prepare("SELECT count(*) AS n FROM alert_groups WHERE posted_revision < revision").get() as { n: number };
      const intake = db.prepare("SELECT count(*) AS n FROM alert_intake").get() as { n: number };
      return outbox.n + groups.n + intake.n;
    } finally {
      db.close();
    }
  }
  const waitUntilAllSent = () => waitUntil("magi to have sent everything it stored", () => countUnsent() === 0, { timeoutMs: 60_000, intervalMs: 200 });
  const stopSynapse = async () => {
    hsDown = true;
    await hs.stop();
  };
  const restartSynapse = async () => {
    hs = await startSynapse({ dataDir, port: hs.port });
    hsDown = false;
  };

  it("answers 2xx while the homeserver is down, and posts and edits each group once when it is back", async () => {
    expect(await notify("Steady")).toBe(200);
    const [steady] = await room().waitForPosts("Steady", 1);
    const before = await am.countNotifications();

    await stopSynapse();
    expect(await notify("OutageDirectA")).toBe(200);
    expect(await notify("OutageDirectB")).toBe(200);
    expect(await notify("Steady", new Date())).toBe(200);
    await am.push({ name: "OutageViaAm", startsAt: new Date() });
    await waitUntil("Alertmanager's notification to be stored", () => stored("OutageViaAm").length > 0, { timeoutMs: 20_000 });
    // The outage reached the send path: magi tried to send, failed, and keeps the messages.
    await bot.waitForLog((l) => l.msg === "send failed; retrying with the same transaction id", 20_000);
    await sleep(2000);
    const during = await am.countNotifications();
    expect(during.sent).toBeGreaterThan(before.sent);
    expect(during.failed).toBe(before.failed);
    expect(countUnsent()).toBeGreaterThan(0);

    await restartSynapse();
    const messages = room();
    for (const name of ["OutageDirectA", "OutageDirectB", "OutageViaAm"]) {
      const [message] = await messages.waitForPosts(name, 1, undefined, 60_000);
      expect(message!.content.body).toMatch(new RegExp(`^🔥 FIRING: ${name} — 1 of 1 alert firing\\n`));
    }
    const [resolved] = await messages.waitForEdits(steady!.event_id, 1);
    expect(resolved!.content["m.new_content"].body).toMatch(/^✅ RESOLVED: Steady — fired for /);
    // Alertmanager resends OutageViaAm every 3 s; wait for one after the outage, then for nothing left to send.
    const resends = stored("OutageViaAm").length;
    await waitUntil("a resend of OutageViaAm", () => stored("OutageViaAm").length > resends, { timeoutMs: 20_000 });
    await waitUntilAllSent();
    for (const name of ["Steady", "OutageDirectA", "OutageDirectB", "OutageViaAm"]) expect(await messages.posts(name)).toHaveLength(1);
    expect(await messages.editsOf(steady!.event_id)).toHaveLength(1);
    expect(await messages.botMessages()).toHaveLength(5);
  }, 150_000);

  // Five restarts of magi and one of Synapse: slower than most tests on a busy machine, hence its own time limit.
  it("posts what it answered 200 for right before kill -9, exactly once after the restart", async () => {
    const messages = room();
    // Killed at several moments after the 200: before the notification is applied to its group, before the post is
    // queued (magi holds both until notifications pause), and just after the holds, while the post is queued or on the wire.
    const delaysMs = [0, INTAKE_HOLD.quietMs + 5, ...[5, 20, 100].map((ms) => INTAKE_HOLD.quietMs + ALERT_HOLD.quietMs + ms)];
    for (const [i, delayMs] of delaysMs.entries()) {
      expect(await notify(`Killed${i}`)).toBe(200);
      await sleep(delayMs);
      await bot.kill();
      bot = await fx.start();
      await messages.waitForPosts(`Killed${i}`, 1);
    }
    // The deterministic case: the homeserver is down, so the message cannot have left before the kill.
    await stopSynapse();
    expect(await notify("KilledWhileDown")).toBe(200);
    await bot.kill();
    expect(countUnsent()).toBeGreaterThan(0);
    await restartSynapse();
    bot = await fx.start();
    await messages.waitForPosts("KilledWhileDown", 1);
    await waitUntilAllSent();
    await sleep(1000);
    for (const [i] of delaysMs.entries()) expect(await messages.posts(`Killed${i}`)).toHaveLength(1);
    expect(await messages.posts("KilledWhileDown")).toHaveLength(1);
    // Nothing but those posts since the first test: no edits, no second copies.
    expect(await messages.botMessages()).toHaveLength(5 + delaysMs.length + 1);
  }, 240_000);
});
