// Approval requests in the room: the prompt, votes by reaction (and their withdrawal by redaction), expiry, and the one run an approval starts.
import type { Logger } from "pino";
import { checkVoter, decide, type ApprovalPolicy } from "../commands/approval-policy.ts";
import { describePrompt } from "../commands/approval-view.ts";
import type { Level } from "../commands/levels.ts";
import { readVote } from "../commands/reaction-keys.ts";
import type { ApprovalStore, StoredApproval } from "../storage/approval-store.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { EditPort } from "./edit-port.ts";
import type { ReplyPort, ReplyTarget } from "./reply-port.ts";

// What the approval flow needs from the rest of the bot.
export interface ApprovalDeps {
  store: ApprovalStore;
  audit: AuditLog;
  reply: ReplyPort;
  edits: EditPort;
  log: Logger;
  botUserId: string;
  levelIn(roomId: string, userId: string): Level;
  // Runs the approved command as its requester and posts the result; returns a note for the prompt.
  execute(approval: StoredApproval, approvers: string[]): Promise<string>;
  now(): number;
}

type Reaction = { sender: string; event_id: string; content?: { "m.relates_to"?: { rel_type?: string; event_id?: string; key?: string }; "com.beeper.reaction.shortcode"?: string } };

// Creates the approval flow.
export function createApprovals(deps: ApprovalDeps) {
  const editPrompt = async (a: StoredApproval, note?: string) => {
    if (!a.promptEventId) return;
    await deps.edits.edit(a.roomId, a.promptEventId, describePrompt({ ...a, ...(note ? { note } : {}) }));
  };

  async function evaluate(id: number): Promise<void> {
    const a = deps.store.get(id);
    if (!a || a.state !== "pending") return;
    const state = decide(a, deps.now());
    if (state === "pending") return editPrompt(a);
    const rejecter = a.votes.find((v) => v.kind === "reject")?.voter ?? null;
    const approvers = [...new Set(a.votes.filter((v) => v.kind === "approve").map((v) => v.voter))];
    const by = state === "rejected" ? rejecter : state === "approved" ? approvers.join(", ") : null;
    // The one caller whose transition succeeds acts on the decision: duplicates and replays stop here.
    if (!deps.store.transition(id, state, deps.now(), by)) return;
    const decided = deps.store.get(id)!;
    deps.log.info({ approvalId: id, state, by }, "approval decided");
    if (state !== "approved") {
      if (a.auditId !== null) deps.audit.setOutcome(a.auditId, state === "rejected" ? `rejected by ${rejecter}; not run` : "approval expired; not run");
      return editPrompt(decided);
    }
    await editPrompt(decided, "Running it now.");
    const note = await deps.execute(decided, approvers);
    await editPrompt(decided, note);
  }

  const ignore = (a: StoredApproval, voter: string, level: Level, why: string) => {
    deps.log.info({ approvalId: a.id, voter, why }, "reaction ignored");
    deps.audit.record({ at: deps.now(), roomId: a.roomId, eventId: null, sender: voter, text: `reaction on approval ${a.id} (${a.work})`, level, command: null, decision: "denied", outcome: `ignored: ${why}` });
  };

  return {
    // Stores a request and posts its prompt in reply to the command.
    request: async (target: ReplyTarget, info: { auditId: number; requester: string; text: string; work: string; policy: ApprovalPolicy; binding?: Record<string, string> }) => {
      const now = deps.now();
      const a = deps.store.create({ roomId: target.roomId, commandEventId: target.eventId, auditId: info.auditId, requester: info.requester, text: info.text, work: info.work, policy: info.policy, binding: info.binding ?? {}, createdAt: now, expiresAt: now + info.policy.expiresMs });
      deps.audit.setOutcome(info.auditId, `awaiting approval ${a.id}`);
      const promptId = await deps.reply.send(target, describePrompt(a));
      deps.store.setPrompt(a.id, promptId);
    },
    // Counts a reaction on a prompt as a vote, if it is one and the voter may cast it.
    onReaction: async (roomId: string, event: Reaction) => {
      const relation = event.content?.["m.relates_to"];
      if (relation?.rel_type !== "m.annotation" || !relation.event_id || !relation.key) return;
      const a = deps.store.findByPrompt(relation.event_id);
      if (!a || a.roomId !== roomId) return;
      const level = deps.levelIn(roomId, event.sender);
      if (event.sender === deps.botUserId) return ignore(a, event.sender, level, "magi's own reaction");
      const kind = readVote(relation.key, event.content?.["com.beeper.reaction.shortcode"]);
      if (!kind) return;
      if (a.state !== "pending") return ignore(a, event.sender, level, `request already ${a.state}`);
      const reason = checkVoter(a, event.sender, level);
      if (reason && !(kind === "reject" && event.sender === a.requester)) return ignore(a, event.sender, level, reason);
      if (!deps.store.addVote(a.id, event.event_id, event.sender, kind, deps.now())) return;
      await evaluate(a.id);
    },
    // A redacted reaction withdraws its vote while the request is pending.
    onRedaction: async (redactedId: string) => {
      const id = deps.store.withdrawVote(redactedId);
      if (id !== undefined) await evaluate(id);
    },
    // Calls off the requester's newest pending request in the room (the !cancel command's port).
    cancelOwn: async (roomId: string, requester: string): Promise<{ ok: true; work: string } | { ok: false; message: string }> => {
      const id = deps.store.latestPendingOf(roomId, requester);
      if (id === undefined) return { ok: false, message: "you have no request waiting for approval here; to cancel a job, give its id (!jobs lists them)" };
      if (!deps.store.transition(id, "cancelled", deps.now(), requester)) return { ok: false, message: "that request was decided a moment ago" };
      const a = deps.store.get(id)!;
      if (a.auditId !== null) deps.audit.setOutcome(a.auditId, `cancelled by ${requester} before approval; not run`);
      await editPrompt(a);
      return { ok: true, work: a.work };
    },
    // Expires what is due; time, not a timer, decides, so this also catches up after a restart.
    sweep: async () => {
      for (const id of deps.store.dueForExpiry(deps.now())) await evaluate(id);
    },
  };
}

// The approval flow's type.
export type Approvals = ReturnType<typeof createApprovals>;
