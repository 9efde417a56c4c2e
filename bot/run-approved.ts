// Carries out an approved request through runCommand, as its requester in its room, and keeps the prompt truthful:
// what started, then, once every job has ended, how they ended.
import type { Logger } from "pino";
import { describeJobsEnded, describeJobsStarted } from "../commands/core/approval-view.ts";
import type { Caller } from "../commands/core/types.ts";
import type { JobRecord } from "../runners/jobs/types.ts";
import type { StoredApproval } from "../storage/approval-store.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { listJobIds, type RunCommand } from "./run-command.ts";

// What running approved requests needs.
export interface RunApprovedDeps {
  runCommand: RunCommand;
  callerIn(roomId: string, userId: string): Promise<Caller | undefined>;
  msgtypeFor(roomId: string): ReplyMsgtype;
  waitForJob(jobId: number): Promise<JobRecord>;
  markActed(approvalId: number, now: number): boolean;
  audit: AuditLog;
  log: Logger;
  now(): number;
}

const NOT_SERVED = "magi no longer serves this room, so nothing was run";

// Creates the approval flow's execute(); it resolves once the command is delivered, and the last note follows the jobs.
export function createRunApproved(deps: RunApprovedDeps) {
  return async (a: StoredApproval, approvers: string[], say: (note: string) => void): Promise<void> => {
    // Resolves without I/O for configured rooms; only an admin's direct chat may look up the room's members.
    const caller = await deps.callerIn(a.roomId, a.requester);
    if (!caller) {
      if (!deps.markActed(a.id, deps.now())) return;
      if (a.auditId !== null) deps.audit.setOutcome(a.auditId, `approved by ${approvers.join(", ")}; not run: ${NOT_SERVED}`);
      return say(`${NOT_SERVED}.`);
    }
    const target = { roomId: a.roomId, eventId: a.commandEventId, msgtype: deps.msgtypeFor(a.roomId) };
    let ids: number[] = [];
    const result = await deps.runCommand({
      caller, target, text: a.text,
      approval: { id: a.id, auditId: a.auditId, by: approvers, binding: a.binding },
      onRun: (output) => {
        ids = listJobIds(output);
        if (ids.length > 0) say(describeJobsStarted(ids));
      },
    });
    if (result.kind === "ignored") return say("Nothing to run.");
    if (result.kind !== "ran") return result.kind === "already run" ? undefined : say("It could not run; see the reply.");
    if (ids.length === 0) return say(result.output.ok ? "Done." : "It could not run; see the reply.");
    // Jobs may run for hours: the last note is edited in when they end, without holding up whoever awaits this.
    void Promise.all(ids.map((id) => deps.waitForJob(id)))
      .then((ended) => say(describeJobsEnded(ended)))
      .catch((error: Error) => deps.log.warn({ approvalId: a.id, err: error.message }, "could not report how the approved jobs ended"));
  };
}
