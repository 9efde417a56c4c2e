// The job store keeps a command's audit row in step with its jobs, over real SQLite: while they run, when they end,
// and when a restart finds them unfinished; and an upgrade does not mistake old approvals for unstarted ones.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createApprovalStore } from "../../../storage/approval-store.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { createJobStore } from "../../../storage/job-store.ts";
import { applyMigrations } from "../../../storage/migrate.ts";
import { MIGRATIONS } from "../../../storage/migrations.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const POLICY = { approvals: 1, minLevel: 3 as const, self: "forbidden" as const, expiresMs: 60_000 };

function build() {
  const db = openDatabase(":memory:");
  const audit = createAuditLog(db);
  const jobs = createJobStore(db);
  const auditId = audit.record({ at: 1, roomId: "!r", eventId: "$c", sender: "@dan:x", text: "!deploy @lab", level: 3, command: "deploy", decision: "allowed" });
  const outcome = () => audit.recent(1)[0]!.outcome;
  const add = (host: string, approvalId: number | null = null) => jobs.insert({ command: "deploy", host, requester: "@dan:x", roomId: "!r", mutating: true, createdAt: 1, auditId, approvalId });
  return { db, jobs, outcome, add, auditId };
}

describe("a job's audit row", () => {
  it("names the job as it starts and its end when it ends", () => {
    const t = build();
    const job = t.add("misato");
    expect(t.outcome()).toBe(`job ${job.id}`);
    t.jobs.update(job.id, { state: "failed", finishedAt: 2, exitCode: 1, summary: "activation failed" });
    expect(t.outcome()).toBe(`job ${job.id} failed: activation failed`);
  });

  it("says interrupted for the jobs a restart finds unfinished, with who approved them", () => {
    const t = build();
    const approvals = createApprovalStore(t.db);
    const a = approvals.create({ roomId: "!r", commandEventId: "$c", auditId: t.auditId, requester: "@dan:x", text: "!deploy @lab", work: "deploy", policy: POLICY, createdAt: 1, expiresAt: 60_001 });
    approvals.transition(a.id, "approved", 2, "@kim:x");
    const [kaji, asuka] = [t.add("kaji", a.id), t.add("asuka", a.id)];
    t.jobs.update(kaji.id, { state: "succeeded", finishedAt: 3, summary: "deployed" });
    expect(t.outcome()).toBe(`approved by @kim:x; jobs ${kaji.id} succeeded, ${asuka.id}`);
    // A fresh store over the same database, as after kill -9.
    createJobStore(t.db).interruptUnfinished(4);
    expect(t.outcome()).toBe(`approved by @kim:x; jobs ${kaji.id} succeeded, ${asuka.id} interrupted`);
  });

  it("counts approvals decided before the upgrade as acted on, so none of them runs again", () => {
    const raw = new Database(":memory:");
    applyMigrations(raw, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.includes("acted_at"))), "test");
    raw.prepare(`INSERT INTO approvals (room_id, command_event_id, requester, text, work, policy, state, created_at, expires_at, decided_at)
      VALUES ('!r', '$old', '@dan:x', '!deploy misato', 'deploy', '{}', 'approved', 1, 2, 1)`).run();
    applyMigrations(raw, MIGRATIONS, "test");
    expect(createApprovalStore(raw).listUnacted()).toEqual([]);
  });
});
