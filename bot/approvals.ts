// Approval requests in the room: the prompt, votes by reaction (and their withdrawal by redaction), calling off by deleting
// the command, expiry, and the one run an approval starts.
import type { Logger } from "pino";
import { checkVoter, decide, type ApprovalPolicy } from "../commands/approval-policy.ts";
import { describePrompt } from "../commands/approval-view.ts";
import type { Level } from "../domain/levels.ts";
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
  // Whether the room's power levels let this user redact other people's events (a moderator).
  mayRedactOthers(roomId: string, userId: string): Promise<boolean>;
  // Runs the approved command as its requester and posts the result; returns a note for the prompt.
  execute(approval: StoredApproval, approvers: string[]): Promise<string>;
  now(): number;
}

// How many deleted commands to remember while their approval check (a git fetch) may still be running.
const REMEMBERED_DELETIONS = 500;

type Reaction = { sender: string; event_id: string; content?: { "m.relates_to"?: { rel_type?: string; event_id?: string; key?: string }; "com.beeper.reaction.shortcode"?: string } };

// Creates the approval flow.
export function createApprovals(deps: ApprovalDeps) {
  const promptFor = (a: StoredApproval, note?: string) => describePrompt({ ...a, ...(note ? { note } : {}) });
  const editPrompt = async (a: StoredApproval, note?: string) => {
    if (!a.promptEventId) return;
    await deps.edits.edit(a.roomId, a.promptEventId, promptFor(a, note));
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

  // Commands deleted before their request was stored, and notes for prompts called off before they were posted.
  const deletedCommands = new Map<string, string>();
  const earlyNotes = new Map<number, string>();

  // Calls off a pending request because its command was deleted; the same end as !cancel, with the deleter named.
  async function callOffDeleted(a: StoredApproval, deleter: string): Promise<void> {
    const mayRedact = (): Promise<boolean> =>
      deps.mayRedactOthers(a.roomId, deleter).catch((error: Error) => (deps.log.warn({ roomId: a.roomId, err: error.message }, "cannot read the room's power levels"), false));
    if (deleter !== a.requester && !(await mayRedact())) {
      return deps.log.warn({ approvalId: a.id, deleter }, "command deleted by someone the room does not let redact others' events; request stands");
    }
    if (!deps.store.transition(a.id, "cancelled", deps.now(), deleter)) return;
    const note = `called off: the request was deleted by ${deleter}`;
    deps.log.info({ approvalId: a.id, by: deleter }, "approval called off: command deleted");
    if (a.auditId !== null) deps.audit.setOutcome(a.auditId, `${note} before approval; not run`);
    const cancelled = deps.store.get(a.id)!;
    if (!cancelled.promptEventId) return void earlyNotes.set(a.id, note);
    await editPrompt(cancelled, note);
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
      const deleter = deletedCommands.get(target.eventId);
      deletedCommands.delete(target.eventId);
      if (deleter !== undefined) await callOffDeleted(a, deleter);
      const shown = deps.store.get(a.id)!;
      const promptId = await deps.reply.send(target, promptFor(shown, earlyNotes.get(a.id)));
      deps.store.setPrompt(a.id, promptId);
      // Decided while the prompt was on its way (called off, expired): say so on it.
      const posted = deps.store.get(a.id)!;
      if (posted.state !== shown.state) await editPrompt(posted, earlyNotes.get(a.id));
      earlyNotes.delete(a.id);
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
    // A redacted reaction withdraws its vote while the request is pending; a redacted command calls its request off.
    onRedaction: async (roomId: string, redactedId: string, redactor: string) => {
      const id = deps.store.withdrawVote(redactedId);
      if (id !== undefined) return evaluate(id);
      const a = deps.store.findByCommand(redactedId);
      if (a?.roomId === roomId && a.state === "pending") return callOffDeleted(a, redactor);
      if (a) return;
      // Perhaps a command whose approval check is still running: its request will be called off as it is made.
      deletedCommands.set(redactedId, redactor);
      if (deletedCommands.size > REMEMBERED_DELETIONS) deletedCommands.delete(deletedCommands.keys().next().value!);
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
