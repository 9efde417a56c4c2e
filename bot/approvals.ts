// Approval requests in the room: the prompt, votes by reaction (and their withdrawal by redaction), calling off by deleting
// the command, expiry, and the one run an approval starts.
import type { Logger } from "pino";
import { checkVoter, decide, type ApprovalPolicy } from "../commands/core/approval-policy.ts";
import { describePrompt, PREVIEW_FILE_BINDING, PREVIEW_FILE_NAME_BINDING } from "../commands/core/approval-view.ts";
import type { Level } from "../domain/levels.ts";
import { readVote } from "../commands/core/reaction-keys.ts";
import type { ApprovalStore, StoredApproval } from "../storage/approval-store.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { EditPort } from "./edit-port.ts";
import { createLatestEdit } from "./latest-edit.ts";
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
  // Runs the approved command as its requester and posts the result. It must start the work before its first await;
  // say() puts a note on the prompt (what started, then how it ended), and a string it resolves with is the last note.
  execute(approval: StoredApproval, approvers: string[], say: (note: string) => void): Promise<unknown>;
  now(): number;
}

// How many deleted commands to remember while their approval check (a git fetch) may still be running.
const REMEMBERED_DELETIONS = 500;

type Reaction = { sender: string; event_id: string; content?: { "m.relates_to"?: { rel_type?: string; event_id?: string; key?: string }; "com.beeper.reaction.shortcode"?: string } };

// Creates the approval flow.
export function createApprovals(deps: ApprovalDeps) {
  const promptFor = (a: StoredApproval, note?: string) => describePrompt({ ...a, ...(note ? { note } : {}) });
  const show = createLatestEdit(deps.edits, deps.log);
  // Edits go out one at a time per prompt with the newest last, so a slow edit never overwrites a later note.
  const editPrompt = async (a: StoredApproval, note?: string) => {
    if (!a.promptEventId) return;
    await show(a.roomId, a.promptEventId, promptFor(a, note));
  };

  // Runs an approved request; the work starts now, and the prompt's notes follow on their own.
  // lead stays in front of every note, so what happened first (a restart) is still on the prompt at the end.
  async function act(a: StoredApproval, approvers: string[], lead = ""): Promise<void> {
    let shown = Promise.resolve();
    const say = (note: string) => void (shown = editPrompt(a, lead + note));
    say("Running it now.");
    try {
      const last = await deps.execute(a, approvers, say);
      if (typeof last === "string" && last) say(last);
    } catch (error) {
      deps.log.error({ approvalId: a.id, err: error }, "approved command failed to run");
      say("It could not run; the details are in magi's log.");
    }
    await shown;
  }

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
    // Not awaited before the run: under the homeserver's rate limits the edit may take seconds, the work must not.
    await act(decided, approvers);
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

  // A long preview's whole diff, under the prompt that summarises it; a failed upload leaves the summary standing.
  async function postPreviewFile(target: ReplyTarget, binding: Record<string, string>): Promise<void> {
    const text = binding[PREVIEW_FILE_BINDING];
    if (text === undefined || !deps.reply.sendFile) return;
    const name = binding[PREVIEW_FILE_NAME_BINDING] ?? "preview.txt";
    await deps.reply.sendFile(target, { name, mimetype: "text/plain", data: Buffer.from(text, "utf8") }).catch((error: Error) => deps.log.warn({ err: error.message }, "could not post the preview's file"));
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
      await postPreviewFile(target, shown.binding);
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
    // A vote cast from the terminal by request id, under the same rules as a reaction; decided tells when the decision
    // (and any run it starts) has been handled. The vote and decision are stored before this returns.
    castVote: (id: number, voter: string, kind: "approve" | "reject", voteId: string): { refused: string } | { decided: Promise<void> } => {
      const a = deps.store.get(id);
      if (!a) return { refused: `there is no request ${id}` };
      if (a.state !== "pending") return { refused: `request ${id} is already ${a.state}` };
      const reason = checkVoter(a, voter, deps.levelIn(a.roomId, voter));
      if (reason && !(kind === "reject" && voter === a.requester)) return { refused: reason };
      if (!deps.store.addVote(a.id, voteId, voter, kind, deps.now())) return { refused: "that vote was already counted" };
      return { decided: evaluate(a.id) };
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
    // On start: an approval whose command never started (magi stopped in between) runs once while the approval is fresh
    // (the policy's expiry, counted from the decision); a stale one is not run, and the prompt says so.
    // Resolves when every such request has been delivered; the runs themselves start before the first await.
    resumeApproved: async () => {
      const runs: Promise<void>[] = [];
      for (const id of deps.store.listUnacted()) {
        const a = deps.store.get(id)!;
        const approvers = (a.decidedBy ?? "").split(", ").filter(Boolean);
        if (deps.now() < (a.decidedAt ?? a.createdAt) + a.policy.expiresMs) {
          deps.log.warn({ approvalId: id }, "approved request had not started when magi stopped; running it now");
          runs.push(act(a, approvers, "magi restarted after the approval. "));
          continue;
        }
        if (!deps.store.markActed(id, deps.now())) continue;
        const note = "magi stopped between the approval and the start, and the approval is too old to use now; nothing ran — send the command again";
        deps.log.warn({ approvalId: id }, "approved request had not started when magi stopped and is too old to run");
        if (a.auditId !== null) deps.audit.setOutcome(a.auditId, `approved by ${a.decidedBy}; not run: ${note}`);
        runs.push(editPrompt(a, `${note}.`));
      }
      await Promise.all(runs);
    },
    // Expires what is due; time, not a timer, decides, so this also catches up after a restart.
    sweep: async () => {
      for (const id of deps.store.dueForExpiry(deps.now())) await evaluate(id);
    },
  };
}

// The approval flow's type.
export type Approvals = ReturnType<typeof createApprovals>;
