// The one way a command runs, whoever asks (chat, an approval, later alerts and the terminal): prepare it as the caller,
// audit it, ask for approval or run it with its jobs linked to the audit row (and approval), and deliver the output.
import type { Logger } from "pino";
import type { ApprovalPolicy } from "../commands/core/approval-policy.ts";
import { prepareCommand, type Prepared } from "../commands/core/dispatch.ts";
import type { Block, Caller, CommandContext, Output } from "../commands/core/types.ts";
import type { CommandDecision, MetricsPort } from "../domain/metrics-port.ts";
import type { JobQueue } from "../runners/jobs/job-queue.ts";
import type { JobsPort } from "../runners/jobs/types.ts";
import type { AuditLog, NewAuditRow } from "../storage/audit-log.ts";
import type { Deliver } from "./deliver-output.ts";
import type { ReplyTarget } from "./reply-port.ts";

// What a request for approval carries to the approval flow.
export interface ApprovalAsk {
  auditId: number;
  requester: string;
  text: string;
  work: string;
  policy: ApprovalPolicy;
  binding: Record<string, string>;
}

// What running a command needs from the rest of the bot.
export interface RunCommandDeps {
  contextFor(caller: Caller, roomId: string, approved?: CommandContext["approved"], replyTo?: string): CommandContext;
  jobs: JobsPort & Pick<JobQueue, "batch">;
  audit: AuditLog;
  deliver: Deliver;
  // Stores an approval request and posts its prompt.
  requestApproval(target: ReplyTarget, ask: ApprovalAsk): Promise<void>;
  // Records that an approval's command is being run; false if it already was (so it runs once).
  markActed(approvalId: number, now: number): boolean;
  log: Logger;
  now(): number;
  metrics?: MetricsPort;
  // The live progress message of slow work before a command's answer, replying to target.
  showProgress?(target: ReplyTarget): (blocks: Block[]) => void;
}

// Who asks, where, what; with approval, the request it carries out (its audit row already exists).
export interface RunRequest {
  caller: Caller;
  target: ReplyTarget;
  text: string;
  // The event the command replies to, if any.
  replyTo?: string;
  approval?: { id: number; auditId: number | null; by: string[]; binding: Record<string, string> };
  // What the audit row says instead of the room's defaults (a Forgejo push: its source, delivery and pusher).
  audit?: Partial<Pick<NewAuditRow, "source" | "eventId" | "text">>;
  // Claims the triggering event once; called in the audit row's transaction, before anything runs. False: already handled.
  claim?(): boolean;
  // Told as soon as the command has run (its jobs started), before the reply is delivered.
  onRun?(output: Output): void;
}

// What became of a request.
export type RunResult =
  | { kind: "ignored" | "refused" | "awaiting approval" | "already run" }
  | { kind: "ran"; output: Output; jobIds: number[] };

// The ids of the jobs an output announces.
export function listJobIds(output: Output): number[] {
  return output.job !== undefined ? [output.job] : (output.jobs ?? []).map((j) => j.id);
}

// A jobs port that stamps every job with the audit row and approval it belongs to.
function linkJobs(jobs: JobsPort, auditId: number | null, approvalId: number | null): JobsPort {
  return { ...jobs, submit: (request) => jobs.submit({ ...request, auditId, approvalId }) };
}

// Creates runCommand(). With an approval, the run starts before the first await: the work never waits on Matrix.
export function createRunCommand(deps: RunCommandDeps) {
  type Allowed = Extract<Prepared, { decision: "allowed" }>;

  // Runs an allowed command: its jobs (and the approval's acted mark) are stored in one transaction, then it is delivered.
  function start(prepared: Allowed, req: RunRequest, auditId: number | null, binding: Record<string, string> | undefined): Promise<RunResult> {
    const jobs = linkJobs(deps.jobs, auditId, req.approval?.id ?? null);
    let running: ReturnType<Allowed["run"]> | undefined;
    deps.jobs.batch(() => {
      if (req.approval && !deps.markActed(req.approval.id, deps.now())) return;
      running = prepared.run({ jobs, ...(binding ? { binding } : {}) });
    });
    if (!running) return Promise.resolve({ kind: "already run" });
    const prefix = req.approval ? `approved by ${req.approval.by.join(", ")}; ` : "";
    return running.then(async ({ output, errorId }) => {
      req.onRun?.(output);
      await deps.deliver(req.target, output, auditId, errorId, prefix);
      return { kind: "ran", output, jobIds: listJobIds(output) };
    });
  }

  return async function runCommand(req: RunRequest): Promise<RunResult> {
    const { approval, target, caller } = req;
    const base = deps.contextFor(caller, target.roomId, approval ? { by: approval.by, binding: approval.binding } : undefined, req.replyTo);
    const ctx = deps.showProgress ? { ...base, progress: deps.showProgress(target) } : base;
    const prepared = prepareCommand(req.text, ctx, (errorId, error) => deps.log.error({ errorId, err: error, eventId: target.eventId }, "command threw"));
    // An approval is acted on whatever its command now says (refused, say, because the requester lost their level).
    if (prepared.decision !== "allowed" && approval && !deps.markActed(approval.id, deps.now())) return { kind: "already run" };
    if (prepared.decision === "ignored") return req.claim && !req.claim() ? { kind: "already run" } : { kind: "ignored" };
    // Counted once, as it arrives (an approved run counts as an approval).
    const known = ctx.commands.some((c) => c.name === prepared.command);
    const count = (decision: CommandDecision) => void (approval ?? deps.metrics?.countCommand(prepared.command, known ? decision : "unknown"));
    const row = { at: deps.now(), roomId: target.roomId, eventId: target.eventId, sender: caller.userId, text: req.text, level: caller.level, command: prepared.command, decision: prepared.decision, ...req.audit };
    const auditId = approval ? approval.auditId : req.claim ? deps.audit.recordClaimed(row, req.claim) : deps.audit.record(row);
    if (auditId === undefined) {
      deps.log.debug({ eventId: target.eventId }, "event already processed; not running it again");
      return { kind: "already run" };
    }
    deps.log.info({ roomId: target.roomId, sender: caller.userId, command: prepared.command, decision: prepared.decision, auditId, approvalId: approval?.id }, "command received");
    if (prepared.decision !== "allowed") {
      count(prepared.decision);
      await deps.deliver(target, prepared.output, auditId, undefined, approval ? `approved by ${approval.by.join(", ")}; ` : "");
      return { kind: "refused" };
    }
    if (approval) return start(prepared, req, auditId, undefined);
    const check = prepared.checkApproval ? await prepared.checkApproval() : { kind: "none" as const };
    count(check.kind === "refused" ? "refused" : check.kind === "needed" ? "awaiting_approval" : "ran");
    if (check.kind === "refused") {
      await deps.deliver(target, check.output, auditId);
      return { kind: "refused" };
    }
    if (check.kind === "needed") {
      await deps.requestApproval(target, { auditId: auditId!, requester: caller.userId, text: req.text, work: check.work, policy: check.policy, binding: check.binding });
      return { kind: "awaiting approval" };
    }
    return start(prepared, req, auditId, check.binding);
  };
}

// The runCommand function's type.
export type RunCommand = ReturnType<typeof createRunCommand>;
