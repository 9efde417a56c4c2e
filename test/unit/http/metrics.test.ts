// GET /metrics: its own secret, the text a scrape reads, and requests counted by route pattern and status, against a
// real SQLite outbox and alert store. Run alone: npx vitest run test/unit/http/metrics.test.ts
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeSink } from "./make-sink.ts";
import { createHttpServer } from "../../../http/create-server.ts";
import { createPrometheusMetrics, type PrometheusMetrics } from "../../../http/prometheus-metrics.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createOutboxStore, type OutboxStore } from "../../../storage/outbox-store.ts";
import { readMetrics, valueOf } from "../../read-metrics.ts";
import { makePayload } from "./make-payload.ts";

const ROUTE_TOKEN = "route-secret-0123456789";
const HEALTH_TOKEN = "health-secret-0123456789";
const METRICS_TOKEN = "metrics-secret-0123456789";
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let db: ReturnType<typeof openDatabase>;
let outbox: OutboxStore;
let metrics: PrometheusMetrics;
let app: ReturnType<typeof createHttpServer>;

beforeEach(() => {
  db = openDatabase(":memory:");
  outbox = createOutboxStore(db);
  metrics = createPrometheusMetrics({ readOutboxDepth: outbox.countPending });
  app = createHttpServer({
    bodyLimit: 4096, healthSecret: HEALTH_TOKEN, log: pino({ level: "silent" }), metrics, metricsSecret: METRICS_TOKEN,
    routes: new Map([["ops", { name: "ops", room: "!ops:example.org", mention: [], secret: ROUTE_TOKEN }]]),
    alerts: makeSink(db, { metrics }),
    health: { check: () => ({ ok: true }) },
  });
});
afterEach(async () => {
  await app.close();
  db.close();
});

const scrape = async () => {
  const r = await app.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) });
  expect(r.statusCode).toBe(200);
  return readMetrics(r.body);
};
const postAlert = (token: string, url = "/alertmanager/ops") =>
  app.inject({ method: "POST", url, headers: { "content-type": "application/json", ...bearer(token) }, payload: JSON.stringify(makePayload("g", [{}])) });
const queue = (roomId: string) => outbox.add({ roomId, eventType: "m.room.message", content: { body: "hi" }, txnId: `t-${Math.random()}`, editsRow: null, editsEventId: null, priority: 0, createdAt: 0 });

describe("GET /metrics", () => {
  it("answers only its own secret, in Prometheus text format", async () => {
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/metrics", headers: bearer(ROUTE_TOKEN) })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/metrics", headers: bearer(HEALTH_TOKEN) })).statusCode).toBe(401);
    const wrong = await app.inject({ method: "POST", url: "/metrics", headers: bearer(METRICS_TOKEN) });
    expect([wrong.statusCode, wrong.headers.allow]).toEqual([405, "GET"]);
    const r = await app.inject({ method: "GET", url: "/metrics", headers: bearer(METRICS_TOKEN) });
    expect([r.statusCode, r.headers["content-type"]]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8"]);
    expect(r.body).toContain("# TYPE magi_commands_total counter\n");
    expect(r.body).toContain("# TYPE magi_job_duration_seconds histogram\n");
    expect(r.body).toContain("# TYPE magi_outbox_depth gauge\n");
    expect(valueOf(readMetrics(r.body), "magi_process_start_time_seconds")).toBeGreaterThan(1.7e9);
  });

  it("counts requests by route pattern and status, refusals apart, never by the raw path", async () => {
    await app.inject({ method: "GET", url: "/nowhere/3f9a" });
    await app.inject({ method: "GET", url: "/nowhere/77be" });
    expect((await postAlert("wrong")).statusCode).toBe(401);
    expect((await postAlert(ROUTE_TOKEN, "/alertmanager/dev")).statusCode).toBe(404);
    expect((await postAlert(ROUTE_TOKEN)).statusCode).toBe(200);
    expect((await postAlert(ROUTE_TOKEN)).statusCode).toBe(200);
    const s = await scrape();
    expect(valueOf(s, "magi_http_requests_total", { route: "unmatched", status: "404" })).toBe(2);
    expect(valueOf(s, "magi_http_requests_total", { route: "/alertmanager/:route", status: "401" })).toBe(1);
    expect(valueOf(s, "magi_http_requests_total", { route: "/alertmanager/:route", status: "404" })).toBe(1);
    expect(valueOf(s, "magi_http_requests_total", { route: "/alertmanager/:route", status: "200" })).toBe(2);
    expect(valueOf(s, "magi_http_requests_refused_total", { route: "unmatched", status: "404" })).toBe(2);
    expect(valueOf(s, "magi_http_requests_refused_total", { route: "/alertmanager/:route", status: "401" })).toBe(1);
    expect(valueOf(s, "magi_alerts_received_total", { route: "ops" })).toBe(2);
    expect(valueOf(s, "magi_alerts_deduplicated_total", { route: "ops" })).toBe(1);
    expect(s.map((x) => JSON.stringify(x.labels)).join("\n")).not.toMatch(/nowhere|dev|3f9a/);
    // This scrape itself is counted once it is answered.
    expect(valueOf(await scrape(), "magi_http_requests_total", { route: "/metrics", status: "200" })).toBe(1);
  });

  it("reads the outbox depth at each scrape", async () => {
    expect(valueOf(await scrape(), "magi_outbox_depth")).toBe(0);
    const first = queue("!a:example.org");
    queue("!b:example.org");
    expect(valueOf(await scrape(), "magi_outbox_depth")).toBe(2);
    outbox.markSent(first.id, "$sent", 1);
    expect(valueOf(await scrape(), "magi_outbox_depth")).toBe(1);
  });
});

describe("the metrics port", () => {
  it("labels commands by their canonical name, and any name magi lacks as unknown", async () => {
    metrics.countCommand("ping", "ran");
    metrics.countCommand("ping", "ran");
    metrics.countCommand("deploy", "awaiting_approval");
    metrics.countCommand("@dan:example.org-did-this", "unknown");
    metrics.countCommand("shutdown", "denied");
    const s = await scrape();
    expect(valueOf(s, "magi_commands_total", { command: "ping", decision: "ran" })).toBe(2);
    expect(valueOf(s, "magi_commands_total", { command: "deploy", decision: "awaiting_approval" })).toBe(1);
    expect(valueOf(s, "magi_commands_total", { command: "unknown", decision: "unknown" })).toBe(1);
    expect(valueOf(s, "magi_commands_total", { command: "shutdown", decision: "denied" })).toBe(1);
    expect(JSON.stringify(s)).not.toContain("@dan");
  });

  it("counts jobs by kind and final state, with their duration in a histogram", async () => {
    metrics.countJobEnd("deploy", "succeeded", 42);
    metrics.countJobEnd("deploy", "failed", 3);
    metrics.countJobEnd("reboot", "interrupted", null);
    const s = await scrape();
    expect(valueOf(s, "magi_jobs_total", { kind: "deploy", state: "succeeded" })).toBe(1);
    expect(valueOf(s, "magi_jobs_total", { kind: "reboot", state: "interrupted" })).toBe(1);
    expect(valueOf(s, "magi_job_duration_seconds_sum", { kind: "deploy", state: "succeeded" })).toBe(42);
    expect(valueOf(s, "magi_job_duration_seconds_bucket", { kind: "deploy", state: "succeeded", le: "30" })).toBe(0);
    expect(valueOf(s, "magi_job_duration_seconds_bucket", { kind: "deploy", state: "succeeded", le: "60" })).toBe(1);
    expect(valueOf(s, "magi_job_duration_seconds_count", { kind: "deploy", state: "failed" })).toBe(1);
    expect(s.some((x) => x.name === "magi_job_duration_seconds_count" && x.labels.kind === "reboot")).toBe(false);
  });

  it("counts approvals, alert messages, send failures and SSH connect failures", async () => {
    metrics.countApproval("requested");
    metrics.countApproval("approved");
    metrics.countAlertMessage("posted");
    metrics.countAlertMessage("edited");
    metrics.countAlertMessage("edited");
    metrics.countSendFailure("rate_limited");
    metrics.countSshConnectFailure("host-key-mismatch");
    const s = await scrape();
    expect(valueOf(s, "magi_approvals_total", { outcome: "requested" })).toBe(1);
    expect(valueOf(s, "magi_approvals_total", { outcome: "approved" })).toBe(1);
    expect(valueOf(s, "magi_alert_messages_total", { kind: "edited" })).toBe(2);
    expect(valueOf(s, "magi_matrix_send_failures_total", { reason: "rate_limited" })).toBe(1);
    expect(valueOf(s, "magi_ssh_connect_failures_total", { reason: "host-key-mismatch" })).toBe(1);
  });
});
