// GET /metrics of a real magi, through real Synapse and a real sshd: each scrape is parsed, and the counters move as
// people use magi (a ping, a refused and an unknown command, an approved job whose host can't be reached, alert
// notifications, a request without credentials). Run alone: npx vitest run --project e2e test/e2e/metrics.test.ts
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../bot/synapse/start-synapse.ts";
import { readMetrics, valueOf, type Sample } from "../read-metrics.ts";
import { makePayload } from "../unit/http/make-payload.ts";
import { waitUntil } from "../wait-until.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const ROUTE_TOKEN = "am-route-token-5d1e0a";
const HEALTH_TOKEN = "health-token-c0ffee";
const METRICS_TOKEN = "metrics-token-9b7f31";

describe("GET /metrics of a running magi", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-metrics-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let asuka: TestSshd;
  let magiUrl: string;

  beforeAll(async () => {
    asuka = await startSshd({ dir, name: "asuka" });
    fx = await createMagiFixture("metrics");
    const port = await findFreePort();
    magiUrl = `http://127.0.0.1:${port}`;
    for (const [file, token] of [["route-token", ROUTE_TOKEN], ["health-token", HEALTH_TOKEN], ["metrics-token", METRICS_TOKEN]]) {
      writeFileSync(join(fx.dir, file!), `${token}\n`, { mode: 0o600 });
    }
    fx.config.http = { listen: `127.0.0.1:${port}`, credentials_file: join(fx.dir, "health-token"), metrics_credentials_file: join(fx.dir, "metrics-token") };
    fx.config.alerts = { routes: { ops: { room: fx.roomId, credentials_file: join(fx.dir, "route-token") } } };
    // asuka's pinned key, but a port nothing listens on: every connection attempt fails.
    fx.config.hosts = { unreachable: hostConfigFor({ ...asuka, port: await findFreePort() }) };
    fx.config.jobs = { confirm_minutes: 1 };
    bot = await fx.start();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await asuka?.stop();
  });

  const scrape = async (): Promise<Sample[]> => {
    const r = await fetch(`${magiUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect([r.status, r.headers.get("content-type")]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8"]);
    return readMetrics(await r.text());
  };
  const postAlert = () => fetch(`${magiUrl}/alertmanager/ops`, {
    method: "POST", headers: { authorization: `Bearer ${ROUTE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(makePayload('{}:{alertname="DiskFull"}', [{ summary: "metrics e2e" }])),
  });

  it("answers only its own token", async () => {
    expect((await fetch(`${magiUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${magiUrl}/metrics`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } })).status).toBe(401);
    const s = await scrape();
    expect(valueOf(s, "magi_http_requests_refused_total", { route: "/metrics", status: "401" })).toBe(2);
    expect(valueOf(s, "magi_process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
  });

  it("counts commands by name and decision as people type them", async () => {
    const stranger = await fx.newUser("stranger");
    const ping = await fx.admin.say(fx.roomId, "!ping");
    expect((await fx.admin.waitForReply(fx.roomId, ping)).content.body).toMatch(/^pong/);
    const denied = await stranger.say(fx.roomId, "!jobs");
    expect((await fx.admin.waitForReply(fx.roomId, denied)).content.body).toBe("!jobs needs level 1 (communication); you have 0 (unknown).");
    const invalid = await fx.admin.say(fx.roomId, "!wake");
    expect((await fx.admin.waitForReply(fx.roomId, invalid)).content.body).toMatch(/Usage: !wake <host>$/);
    const unknown = await fx.admin.say(fx.roomId, "!frobnicate-3f9a");
    expect((await fx.admin.waitForReply(fx.roomId, unknown)).content.body).toMatch(/^unknown command !frobnicate-3f9a/);
    const s = await scrape();
    expect(valueOf(s, "magi_commands_total", { command: "ping", decision: "ran" })).toBe(1);
    expect(valueOf(s, "magi_commands_total", { command: "jobs", decision: "denied" })).toBe(1);
    expect(valueOf(s, "magi_commands_total", { command: "wake", decision: "invalid" })).toBe(1);
    expect(valueOf(s, "magi_commands_total", { command: "unknown", decision: "unknown" })).toBe(1);
    // Neither what was typed nor who typed it becomes a label.
    const labels = s.flatMap((x) => Object.values(x.labels)).join("\n");
    expect(labels).not.toMatch(/frobnicate|@|![a-zA-Z]+:|\$/);
  });

  it("counts an approval, the job it started and the SSH connection that failed", async () => {
    const command = await fx.admin.say(fx.roomId, "!reboot unreachable");
    const prompt = await fx.admin.waitForReply(fx.roomId, command);
    await fx.admin.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "✅" } });
    const job = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /^job \d+ · reboot unreachable/.test(String(e.content.body)));
    await waitForBody(fx.admin, fx.roomId, job.event_id, /failed/);
    const s = await scrape();
    expect(valueOf(s, "magi_commands_total", { command: "reboot", decision: "awaiting_approval" })).toBe(1);
    expect(valueOf(s, "magi_approvals_total", { outcome: "requested" })).toBe(1);
    expect(valueOf(s, "magi_approvals_total", { outcome: "approved" })).toBe(1);
    expect(valueOf(s, "magi_jobs_total", { kind: "reboot", state: "failed" })).toBe(1);
    expect(valueOf(s, "magi_job_duration_seconds_count", { kind: "reboot", state: "failed" })).toBe(1);
    expect(valueOf(s, "magi_ssh_connect_failures_total", { reason: "connect" })).toBeGreaterThanOrEqual(1);
  });

  it("counts alert notifications, the one resend that changed nothing, and the message posted", async () => {
    expect((await postAlert()).status).toBe(200);
    expect((await postAlert()).status).toBe(200);
    await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes("metrics e2e"));
    const s = await waitUntil("the alert message to be counted", async () => {
      const now = await scrape();
      return valueOf(now, "magi_alert_messages_total", { kind: "posted" }) === 1 ? now : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    expect(valueOf(s, "magi_alerts_received_total", { route: "ops" })).toBe(2);
    expect(valueOf(s, "magi_alerts_deduplicated_total", { route: "ops" })).toBe(1);
    expect(valueOf(s, "magi_http_requests_total", { route: "/alertmanager/:route", status: "200" })).toBe(2);
    expect(valueOf(s, "magi_outbox_depth")).toBe(0);
  });
});
