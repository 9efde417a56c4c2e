// Posts a command's output: the reply, the job binding, an attached file, and the audit outcome.
import type { Logger } from "pino";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Block, Output } from "../commands/core/types.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { ReplyPort, ReplyTarget } from "./reply-port.ts";
import { sendEventWithRetry } from "./send-event.ts";
import { uploadWithinLimit } from "./upload-file.ts";
import { capEcho } from "../commands/core/echo.ts";

// How much of a failure message an audit outcome keeps.
const OUTCOME_TEXT_MAX = 200;
import type { JobRecord } from "../runners/jobs/types.ts";

// What delivering needs.
export interface DeliverDeps {
  client: MatrixClient;
  reply: ReplyPort;
  audit: AuditLog;
  log: Logger;
  attachJob(jobId: number, roomId: string, eventId: string): void;
  // Resolves when a job has ended, for the summary after a multi-host run.
  waitForJob(jobId: number): Promise<JobRecord>;
}

// The audit outcome for an output.
export function summarizeOutput(output: Output, errorId?: string): string {
  if (errorId) return `error ${errorId}`;
  const first = output.blocks.find((b): b is Extract<Block, { kind: "text" }> => b.kind === "text");
  if (output.job !== undefined) return `job ${output.job}`;
  if (output.jobs !== undefined) return `jobs ${output.jobs.map((j) => j.id).join(", ")}`;
  return output.ok ? "ok" : `failed: ${capEcho(first?.text ?? "", OUTCOME_TEXT_MAX)}`;
}

// Creates deliver(): reply, bind the job, upload the file. The audit row gets its outcome first, so a failed send still
// leaves a trace; an output with jobs leaves the row to the job store, which completes it from the jobs' final states.
export function createDeliver(deps: DeliverDeps) {
  return async (target: ReplyTarget, output: Output, auditId: number | null, errorId?: string, outcomePrefix = ""): Promise<void> => {
    const hasJobs = output.job !== undefined || output.jobs !== undefined;
    if (auditId !== null && (!hasJobs || errorId)) deps.audit.setOutcome(auditId, outcomePrefix + summarizeOutput(output, errorId));
    const replyId = await deps.reply.send(target, output.blocks);
    if (output.job !== undefined) deps.attachJob(output.job, target.roomId, replyId);
    for (const job of output.jobs ?? []) deps.attachJob(job.id, target.roomId, await deps.reply.send(target, job.blocks));
    if (output.jobs && output.jobs.length > 1) {
      const ended = await Promise.all(output.jobs.map((j) => deps.waitForJob(j.id)));
      const ok = ended.filter((j) => j.state === "succeeded").length;
      const lines = ended.map((j) => `${j.host}: ${j.state.replace("_", " ")}${j.summary ? ` — ${j.summary}` : ""}`);
      await deps.reply.send(target, [{ kind: "text", text: `${ok} of ${ended.length} ${ended[0]!.command} jobs succeeded:` }, { kind: "list", items: lines }]);
    }
    if (output.file) {
      const uploaded = await uploadWithinLimit(deps.client, output.file);
      // With a filename, the body is a caption (spec v1.10): it says when only the end of the file went up.
      const caption = uploaded.cutBytes > 0 ? `${output.file.name}: the last ${uploaded.size} of ${output.file.data.length} bytes (the homeserver accepts uploads up to ${uploaded.limit} bytes)` : output.file.name;
      await sendEventWithRetry(deps.client, deps.log, target.roomId, "m.room.message", {
        msgtype: "m.file",
        body: caption,
        filename: output.file.name,
        url: uploaded.url,
        info: { mimetype: output.file.mimetype, size: uploaded.size },
        "m.relates_to": { "m.in_reply_to": { event_id: target.eventId } },
      });
    }
  };
}

// The deliver function's type.
export type Deliver = ReturnType<typeof createDeliver>;
