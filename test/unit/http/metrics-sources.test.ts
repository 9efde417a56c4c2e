// Where the counters come from: runCommand's decisions, the approval store's decisions, the send queue's failed attempts
// and the SSH pool's failed handshakes, each read back from a real Prometheus scrape. Run alone:
// npx vitest run test/unit/http/metrics-sources.test.ts
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { meterApprovals } from "../../../bot/meter-approvals.ts";
import { createRunCommand } from "../../../bot/run-command.ts";
import { createSendQueue } from "../../../bot/send-queue.ts";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import type { Caller, CommandContext } from "../../../commands/core/types.ts";
import { createPrometheusMetrics } from "../../../http/prometheus-metrics.ts";
import type { JobQueue } from "../../../runners/jobs/job-queue.ts";
import { createSshPool } from "../../../runners/ssh/pool.ts";
import { createApprovalStore } from "../../../storage/approval-store.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createOutboxStore } from "../../../storage/outbox-store.ts";
import { readMetrics, valueOf } from "../../read-metrics.ts";
import { makeContext } from "../commands/make-context.ts";

const log = pino({ level: "silent" });
const ROOM = "!room:example.org";
const scrape = async (metrics: ReturnType<typeof createPrometheusMetrics>) => readMetrics(await metrics.render());

describe("counted at the source", () => {
  it("counts each command once as it arrives, by its name and what became of it", async () => {
    const { ctx, jobs, db } = makeContext(4);
    const metrics = createPrometheusMetrics({ readOutboxDepth: () => 0 });
    const replies: string[] = [];
    const runCommand = createRunCommand({
      contextFor: (caller: Caller, roomId: string, approved?: CommandContext["approved"]) => ({ ...ctx, caller, roomId, ...(approved ? { approved } : {}) }),
      jobs: jobs as unknown as JobQueue, audit: createAuditLog(db), log, now: () => Date.now(), markActed: () => true, metrics,
      deliver: async (_target, output) => void replies.push(output.blocks.map((b) => ("text" in b ? b.text : "")).join(" ")),
      requestApproval: async () => void replies.push("approval requested"),
    });
    const say = (text: string, level: 0 | 4 = 4) => runCommand({ caller: { userId: "@dan:example.org", level }, target: { roomId: ROOM, eventId: `$${text}`, msgtype: "m.text" }, text });
    await say("!ping");
    await say("!ping");
    await say("!wake");
    await say("!frobnicate");
    await say("!shutdown misato", 0);
    await say("!shutdown misato");
    // The approved run of that request is the approval's, not a second arrival of the command.
    await runCommand({ caller: { userId: "@dan:example.org", level: 4 }, target: { roomId: ROOM, eventId: "$s", msgtype: "m.text" }, text: "!shutdown misato", approval: { id: 1, auditId: null, by: ["@kim:example.org"], binding: {} } });
    expect(replies).toEqual(["pong", "pong", expect.stringMatching(/Usage: !wake <host>$/), expect.stringMatching(/^unknown command !frobnicate/), "!shutdown needs level 4 (admin); you have 0 (unknown).", "approval requested", expect.any(String)]);
    const s = await scrape(metrics);
    const commands = s.filter((x) => x.name === "magi_commands_total").map((x) => [x.labels.command, x.labels.decision, x.value]);
    expect(commands).toEqual([["ping", "ran", 2], ["wake", "invalid", 1], ["unknown", "unknown", 1], ["shutdown", "denied", 1], ["shutdown", "awaiting_approval", 1]]);
  });

  it("counts an approval request and its decision once, however many callers race to decide it", async () => {
    const metrics = createPrometheusMetrics({ readOutboxDepth: () => 0 });
    const store = meterApprovals(createApprovalStore(openDatabase(":memory:")), metrics);
    const policy: ApprovalPolicy = { approvals: 1, minLevel: 3, self: "forbidden", expiresMs: 60_000 };
    const a = store.create({ roomId: ROOM, commandEventId: "$c", auditId: null, requester: "@dan:example.org", text: "!reboot nas", work: "reboot nas", policy, createdAt: 0, expiresAt: 60_000 });
    expect([store.transition(a.id, "approved", 1, "@kim:example.org"), store.transition(a.id, "expired", 2, null)]).toEqual([true, false]);
    const s = await scrape(metrics);
    expect(s.filter((x) => x.name === "magi_approvals_total").map((x) => [x.labels.outcome, x.value])).toEqual([["requested", 1], ["approved", 1]]);
  });

  it("counts every failed send attempt by reason, while the message still goes out once", async () => {
    const metrics = createPrometheusMetrics({ readOutboxDepth: () => 0 });
    const failures = [
      Object.assign(new Error("Too Many Requests"), { errcode: "M_LIMIT_EXCEEDED", statusCode: 429, retryAfterMs: 10 }),
      Object.assign(new Error("Bad Gateway"), { statusCode: 502 }),
    ];
    let puts = 0;
    const queue = createSendQueue({ store: createOutboxStore(openDatabase(":memory:")), log, metrics, put: async () => {
      puts++;
      const failure = failures.shift();
      if (failure) throw failure;
      return "$sent";
    } });
    queue.start();
    expect(await queue.enqueue({ roomId: ROOM, content: { msgtype: "m.text", body: "hi" } }).sent).toBe("$sent");
    await queue.stop();
    const s = await scrape(metrics);
    expect(puts).toBe(3);
    expect(valueOf(s, "magi_matrix_send_failures_total", { reason: "rate_limited" })).toBe(1);
    expect(valueOf(s, "magi_matrix_send_failures_total", { reason: "retried" })).toBe(1);
  });

  it("counts a failed SSH handshake once, however many commands waited on it", async () => {
    const metrics = createPrometheusMetrics({ readOutboxDepth: () => 0 });
    const pool = createSshPool({ onConnectFailed: metrics.countSshConnectFailure });
    const target = { name: "nas", address: "127.0.0.1", port: 1, user: "root", identityFile: "/nonexistent", hostKey: "" };
    const outcomes = await Promise.all([pool.acquire(target), pool.acquire(target)]);
    expect(outcomes.map((o) => (o.ok ? "ok" : o.reason))).toEqual(["unpinned", "unpinned"]);
    expect(valueOf(await scrape(metrics), "magi_ssh_connect_failures_total", { reason: "unpinned" })).toBe(1);
    await pool.closeAll();
  });
});
