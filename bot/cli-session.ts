// One `magi do` request: who the Unix user is in Matrix, then the same runCommand as chat (access check, approval
// policy, job queue, audit marked cli), with the output written to the terminal. What changes things (jobs, approval
// requests) is also posted to the room through the outbox, so the room learns of it even if the homeserver is down now.
import { randomBytes } from "node:crypto";
import type { Caller } from "../commands/core/types.ts";
import { LEVELS } from "../domain/levels.ts";
import type { JobRecord } from "../runners/jobs/types.ts";
import { withAuditSource, type AuditLog } from "../storage/audit-log.ts";
import type { ApprovalStore } from "../storage/approval-store.ts";
import type { Approvals } from "./approvals.ts";
import { TERMINAL_REQUEST_PREFIX, type ReplyMsgtype } from "./build-reply.ts";
import { renderForTerminal } from "./cli-render.ts";
import type { CliHandler, CliSession } from "./cli-socket-server.ts";
import { streamJobs } from "./cli-stream-jobs.ts";
import { summarizeOutput, type Deliver } from "./deliver-output.ts";
import type { ReplyTarget } from "./reply-port.ts";
import { createRunCommand, listJobIds, type RunCommandDeps } from "./run-command.ts";
import { castTerminalVote, type VoteDeps } from "./cli-vote.ts";

// How the terminal names commands in its hints ("— magi do log 12").
export const TERMINAL_PREFIX = "magi do ";

// What the terminal path needs from the running bot.
export interface CliSessionDeps extends Omit<RunCommandDeps, "deliver" | "requestApproval" | "showProgress"> {
  // Unix user name → Matrix ID (config cli.users).
  users: Record<string, string>;
  // The room told about terminal work, and how it is served.
  roomId: string;
  msgtypeFor(roomId: string): ReplyMsgtype;
  callerIn(roomId: string, userId: string): Promise<Caller | undefined>;
  prefix: string;
  // The room's deliver: reply, bind job messages, set the audit outcome.
  deliver: Deliver;
  // Queues a message to the room (stored in the outbox at once, sent when the homeserver answers).
  post(target: ReplyTarget, blocks: { kind: "text"; text: string }[]): unknown;
  approvals: Pick<Approvals, "request" | "castVote">;
  approvalStore: Pick<ApprovalStore, "findByCommand" | "get">;
  listJobs(limit: number): JobRecord[];
}

// Who a Unix user is to magi: their mapped Matrix ID, or a name that matches no Matrix user and so has level 0.
function describeUnixUser(session: Pick<CliSession, "uid" | "user">): string {
  return `unix:${session.user ?? `uid ${session.uid}`}`;
}

// Creates the handler for proven terminal requests.
export function createCliHandler(deps: CliSessionDeps): CliHandler {
  const audit: AuditLog = withAuditSource(deps.audit, "cli");
  return async (session) => {
    const matrixId = session.user !== undefined ? deps.users[session.user] : undefined;
    const who = matrixId ?? describeUnixUser(session);
    const [verb, ...rest] = session.words;
    if (verb === undefined) {
      session.write(`usage: magi do <command…>, e.g. magi do status; magi do help lists what you (${who}) may run`);
      return 2;
    }
    if (verb === "approve" || verb === "reject") {
      const voteDeps: VoteDeps = { ...deps, audit, session };
      return castTerminalVote(voteDeps, { kind: verb, words: rest, matrixId, who });
    }
    const caller = matrixId ? await deps.callerIn(deps.roomId, matrixId) : undefined;
    const asCaller: Caller = caller ?? { userId: who, level: LEVELS.unknown };
    const target: ReplyTarget = { roomId: deps.roomId, eventId: `${TERMINAL_REQUEST_PREFIX}${randomBytes(8).toString("hex")}`, msgtype: deps.msgtypeFor(deps.roomId) };
    const text = `${deps.prefix}${session.words.join(" ")}`;
    const announce = () => deps.post(target, [{ kind: "text", text: `🖥 ${who}, from a terminal on magi's machine: ${text}` }]);
    let code = 0;
    const runCommand = createRunCommand({
      ...deps,
      audit,
      deliver: async (t, output, auditId, errorId, lead = "") => {
        session.write(renderForTerminal(output.blocks, lead));
        if (!output.ok) code = 1;
        const ids = listJobIds(output);
        if (ids.length === 0) {
          if (auditId !== null) audit.setOutcome(auditId, lead + summarizeOutput(output, errorId));
          return;
        }
        announce();
        // The room's copy waits for the homeserver; the terminal does not.
        void deps.deliver(t, output, auditId, errorId, lead).catch((error: Error) => deps.log.warn({ err: error.message }, "could not post a terminal command's output to the room"));
        const ended = await streamJobs(ids, deps.jobs, session, TERMINAL_PREFIX);
        if (ended.some((j) => j.state !== "succeeded")) code = 1;
      },
      requestApproval: async (t, ask) => {
        announce();
        const stored = deps.approvals.request(t, ask).catch((error: Error) => deps.log.warn({ err: error.message }, "could not post a terminal request's prompt to the room"));
        // The request is stored before request() first waits; only its prompt waits for the homeserver.
        const a = deps.approvalStore.findByCommand(t.eventId);
        if (!a) return void (await stored);
        const id = a.id;
        session.write(`⏳ ${ask.work}: waiting for approval, request ${id} (expires ${new Date(a.expiresAt).toISOString()}).`);
        session.write(`Another user approves with \`magi do approve ${id}\` (or rejects with \`magi do reject ${id}\`), or by reacting to the prompt in the room.`);
      },
    });
    const result = await runCommand({ caller: asCaller, target, text });
    if (result.kind === "ignored") {
      session.write(`magi do: nothing to run in "${session.words.join(" ")}"`);
      return 2;
    }
    return result.kind === "refused" ? 1 : code;
  };
}
