// runCommand and the approved run over real SQLite, the real queue and the real approval flow; replies and edits are
// recording ports (the Matrix boundary), and the host actions record calls.
import type { MatrixClient } from "matrix-bot-sdk";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createApprovals } from "../../../bot/approvals.ts";
import { createDeliver } from "../../../bot/deliver-output.ts";
import type { EditPort } from "../../../bot/edit-port.ts";
import { createRunApproved } from "../../../bot/run-approved.ts";
import { createRunCommand } from "../../../bot/run-command.ts";
import type { Caller, CommandContext } from "../../../commands/core/types.ts";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import type { JobQueue } from "../../../runners/jobs/job-queue.ts";
import { createApprovalStore } from "../../../storage/approval-store.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { createProcessedEvents } from "../../../storage/processed-events.ts";
import { makeContext } from "../commands/make-context.ts";

const ROOM = "!room:example.org";
const DAN: Caller = { userId: "@dan:example.org", level: 4 };
const POLICY: ApprovalPolicy = { approvals: 2, minLevel: 3, self: "forbidden", expiresMs: 300_000 };
const log = pino({ level: "silent" });
const flush = () => new Promise((r) => setTimeout(r, 20));

// Everything wired as start-bot wires it, over one in-memory database; wakeOk decides how the host action ends.
function build(options: { edits?: EditPort; wakeOk?: boolean } = {}) {
  const { ctx, calls, jobs, db } = makeContext(4);
  const queue = jobs as unknown as JobQueue;
  const actions = { ...ctx.actions, wake: async (host: string) => (calls.push(`wake ${host}`), { ok: options.wakeOk ?? true, summary: `${host} is up` }) };
  const audit = createAuditLog(db);
  const store = createApprovalStore(db);
  const replies: string[] = [];
  const edits: string[] = [];
  const reply = { send: async (_t: unknown, blocks: { kind: string; text?: string }[]) => (replies.push(blocks.map((b) => b.text ?? "").join(" ")), `$reply${replies.length}`) };
  const deliver = createDeliver({ client: {} as MatrixClient, reply, audit, log, attachJob: () => {}, waitForJob: queue.waitFor });
  const contextFor = (caller: Caller, roomId: string, approved?: CommandContext["approved"]): CommandContext => ({ ...ctx, caller, roomId, actions, ...(approved ? { approved } : {}) });
  let approvals: ReturnType<typeof createApprovals> | undefined;
  const runCommand = createRunCommand({ contextFor, jobs: queue, audit, deliver, log, now: () => Date.now(), markActed: store.markActed, requestApproval: (target, ask) => approvals!.request(target, ask) });
  const recordEdits: EditPort = { edit: async (_r, _e, blocks) => void edits.push(blocks.map((b) => (b.kind === "text" ? b.text : "")).join(" ")) };
  approvals = createApprovals({
    store, audit, reply, edits: options.edits ?? recordEdits, log, botUserId: "@magi:example.org", levelIn: () => 3, now: () => Date.now(), mayRedactOthers: async () => false,
    execute: createRunApproved({ runCommand, callerIn: async (_room, userId) => ({ userId, level: 4 }), msgtypeFor: () => "m.text", waitForJob: queue.waitFor, markActed: store.markActed, audit, log, now: () => Date.now() }),
  });
  const target = (eventId: string) => ({ roomId: ROOM, eventId, msgtype: "m.text" as const });
  const outcome = (id: number) => (db.prepare("SELECT outcome FROM audit WHERE id = ?").get(id) as { outcome: string }).outcome;
  const jobRows = () => db.prepare("SELECT id, state, audit_id AS auditId, approval_id AS approvalId FROM jobs ORDER BY id").all() as { id: number; state: string; auditId: number; approvalId: number | null }[];
  // A request for "!wake misato" as a crash would leave it: approved by two people, nothing run yet.
  const approvedRequest = (commandEventId: string, decidedAt = Date.now()) => {
    const auditId = audit.record({ at: decidedAt, roomId: ROOM, eventId: commandEventId, sender: DAN.userId, text: "!wake misato", level: 4, command: "wake", decision: "allowed" });
    const a = store.create({ roomId: ROOM, commandEventId, auditId, requester: DAN.userId, text: "!wake misato", work: "wake misato", policy: POLICY, createdAt: decidedAt, expiresAt: decidedAt + POLICY.expiresMs });
    store.setPrompt(a.id, `$prompt-${commandEventId}`);
    store.transition(a.id, "approved", decidedAt, "@kim:example.org, @lee:example.org");
    return { id: a.id, auditId };
  };
  return { db, queue, calls, audit, store, replies, edits, runCommand, approvals, target, outcome, jobRows, approvedRequest };
}

describe("runCommand", () => {
  it("audits a chat command before it runs, links its job to the row, and completes the row from the job's end", async () => {
    const t = build();
    const result = await t.runCommand({ caller: DAN, target: t.target("$c1"), text: "!wake misato" });
    expect(result).toMatchObject({ kind: "ran", jobIds: [1] });
    const [row] = t.audit.recent(1);
    expect(row).toMatchObject({ eventId: "$c1", sender: DAN.userId, command: "wake", decision: "allowed" });
    expect(t.jobRows()).toEqual([{ id: 1, state: expect.any(String), auditId: row!.id, approvalId: null }]);
    await t.queue.waitFor(1);
    expect(t.outcome(row!.id)).toBe("job 1 succeeded: misato is up");
    expect(t.calls).toEqual(["wake misato"]);
  });

  it("runs an approved command once: its job and the approval's acted mark are stored together", async () => {
    const t = build();
    const { id, auditId } = t.approvedRequest("$c2");
    const approval = { id, auditId, by: ["@kim:example.org", "@lee:example.org"], binding: {} };
    const first = await t.runCommand({ caller: DAN, target: t.target("$c2"), text: "!wake misato", approval });
    const again = await t.runCommand({ caller: DAN, target: t.target("$c2"), text: "!wake misato", approval });
    expect([first.kind, again.kind]).toEqual(["ran", "already run"]);
    expect(t.jobRows()).toEqual([{ id: 1, state: expect.any(String), auditId, approvalId: id }]);
    expect(t.store.get(id)!.actedAt).not.toBeNull();
    await t.queue.waitFor(1);
    expect(t.outcome(auditId)).toBe("approved by @kim:example.org, @lee:example.org; job 1 succeeded: misato is up");
  });

  it("claims the event with its audit row, before the run: a replay of the event runs nothing and writes nothing", async () => {
    const t = build();
    const processed = createProcessedEvents(t.db);
    const claim = () => processed.claim("$c5", ROOM, Date.now());
    const first = await t.runCommand({ caller: DAN, target: t.target("$c5"), text: "!wake misato", claim });
    const replay = await t.runCommand({ caller: DAN, target: t.target("$c5"), text: "!wake misato", claim });
    expect([first.kind, replay.kind]).toEqual(["ran", "already run"]);
    expect(t.audit.recent(10).map((r) => r.eventId)).toEqual(["$c5"]);
    expect(t.calls).toEqual(["wake misato"]);
  });

  it("writes neither the claim nor the audit row when the transaction fails, so the event is still there to run", async () => {
    const t = build();
    const processed = createProcessedEvents(t.db);
    const crashing = () => (processed.claim("$c6", ROOM, Date.now()), (() => { throw new Error("crash inside the claim's transaction"); })());
    await expect(t.runCommand({ caller: DAN, target: t.target("$c6"), text: "!wake misato", claim: crashing })).rejects.toThrow("crash inside the claim's transaction");
    expect(t.audit.recent(10)).toEqual([]);
    expect(t.calls).toEqual([]);
    expect(processed.claim("$c6", ROOM, Date.now())).toBe(true);
  });

  it("stores and starts nothing when a batch fails", () => {
    const t = build();
    const submit = () => t.queue.submit({ command: "wake", host: "misato", requester: DAN.userId, roomId: ROOM, mutating: true, timeoutMs: 1000, work: async () => (t.calls.push("ran"), { ok: true, summary: "" }) });
    expect(() => t.queue.batch(() => (submit(), submit(), (() => { throw new Error("crash between the inserts"); })()))).toThrow("crash between the inserts");
    expect(t.jobRows()).toEqual([]);
    expect(t.calls).toEqual([]);
  });
});

describe("approved runs", () => {
  it("starts the job at the deciding vote while the prompt's edit is still on its way", async () => {
    const hanging: EditPort = { edit: () => new Promise(() => {}) };
    const t = build({ edits: hanging });
    await t.approvals.request(t.target("$c3"), { auditId: t.audit.record({ at: Date.now(), roomId: ROOM, eventId: "$c3", sender: DAN.userId, text: "!wake misato", level: 4, command: "wake", decision: "allowed" }), requester: DAN.userId, text: "!wake misato", work: "wake misato", policy: POLICY, binding: {} });
    const prompt = t.store.findByCommand("$c3")!.promptEventId!;
    const vote = (sender: string, id: string) => t.approvals.onReaction(ROOM, { sender, event_id: id, content: { "m.relates_to": { rel_type: "m.annotation", event_id: prompt, key: "👍" } } });
    void vote("@kim:example.org", "$v1");
    void vote("@lee:example.org", "$v2");
    await flush();
    expect(t.calls).toEqual(["wake misato"]);
  });

  it("ends the prompt with how the job ended, naming a host that failed", async () => {
    const t = build({ wakeOk: false });
    const { id } = t.approvedRequest("$c4");
    await t.approvals.resumeApproved();
    await t.queue.waitFor(1);
    await flush();
    expect(t.store.get(id)!.actedAt).not.toBeNull();
    expect(t.edits.at(-1)).toBe("✅ wake misato: approved by @kim:example.org, @lee:example.org. magi restarted after the approval. Started job 1. 1 of 1 failed: misato (failed).");
  });

  it("resumes an approval a crash left without its job once, and a stale one never", async () => {
    const t = build();
    t.approvedRequest("$fresh");
    const stale = t.approvedRequest("$stale", Date.now() - POLICY.expiresMs - 1);
    await t.approvals.resumeApproved();
    await t.approvals.resumeApproved();
    await t.queue.waitFor(1);
    expect(t.calls).toEqual(["wake misato"]);
    expect(t.jobRows()).toHaveLength(1);
    expect(t.outcome(stale.auditId)).toBe("approved by @kim:example.org, @lee:example.org; not run: magi stopped between the approval and the start, and the approval is too old to use now; nothing ran — send the command again");
    expect(t.edits).toContain("✅ wake misato: approved by @kim:example.org, @lee:example.org. magi stopped between the approval and the start, and the approval is too old to use now; nothing ran — send the command again.");
  });
});
