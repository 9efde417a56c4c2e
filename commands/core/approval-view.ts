// How an approval prompt reads, as it is posted and as it is edited with votes and the decision.
import { describeApprovers, type ApprovalPolicy, type ApprovalState, type Vote } from "./approval-policy.ts";
import { formatDuration } from "../../runners/jobs/format-duration.ts";
import type { JobRecord } from "../../runners/jobs/types.ts";
import type { Block } from "./types.ts";

// The request as the prompt shows it.
export interface PromptInfo {
  work: string;
  requester: string;
  policy: ApprovalPolicy;
  state: ApprovalState;
  votes: Vote[];
  decidedBy?: string | null;
  note?: string;
  binding?: Record<string, string>;
}

// The binding key whose text the prompt shows under its first line: what the approvers were shown is part of what they approve.
export const PREVIEW_BINDING = "preview";

// Binding keys of a file posted under the prompt (a long preview's whole diff) and its name; kept with what was approved.
export const PREVIEW_FILE_BINDING = "preview-file";
export const PREVIEW_FILE_NAME_BINDING = "preview-file-name";

// The prompt's text for its current state, with the preview (if any) under it.
export function describePrompt(p: PromptInfo): Block[] {
  const preview = p.binding?.[PREVIEW_BINDING];
  return preview ? [...describeState(p), { kind: "code", text: preview }] : describeState(p);
}

// The prompt's first line for its current state.
function describeState(p: PromptInfo): Block[] {
  const how = p.policy.self === "only" ? "react ✅ (or 👍) to confirm, ❌ (or 👎) to call it off" : "react 👍 or ✅ to approve, 👎 or ❌ to reject";
  const approvals = p.votes.filter((v) => v.kind === "approve").map((v) => v.voter);
  const votes = approvals.length > 0 ? ` Approved so far by ${approvals.join(", ")}.` : "";
  switch (p.state) {
    case "pending":
      return [{ kind: "text", text: `⏳ ${p.work}, requested by ${p.requester}: ${how} within ${formatDuration(p.policy.expiresMs)} (${describeApprovers(p)}).${votes}` }];
    case "approved":
      return [{ kind: "text", text: `✅ ${p.work}: approved by ${approvals.join(", ") || p.decidedBy}.${p.note ? ` ${p.note}` : ""}` }];
    case "rejected":
      return [{ kind: "text", text: `❌ ${p.work}: rejected by ${p.decidedBy}. Nothing was run.` }];
    case "expired":
      return [{ kind: "text", text: `⌛ ${p.work}: not approved within ${formatDuration(p.policy.expiresMs)}. Nothing was run.` }];
    case "cancelled":
      return [{ kind: "text", text: `🚫 ${p.work}: ${p.note ?? `cancelled by ${p.decidedBy}`}. Nothing was run.` }];
  }
}

// The prompt's note once an approved command's jobs are under way.
export function describeJobsStarted(ids: number[]): string {
  return `Started job${ids.length > 1 ? "s" : ""} ${ids.join(", ")}.`;
}

// The prompt's last note: how the approved command's jobs ended, naming each host that did not succeed.
export function describeJobsEnded(jobs: Pick<JobRecord, "id" | "host" | "state" | "exitCode">[]): string {
  const started = describeJobsStarted(jobs.map((j) => j.id));
  const bad = jobs.filter((j) => j.state !== "succeeded");
  if (bad.length === 0) return `${started} Done: ${jobs.length} succeeded.`;
  if (bad.length === jobs.length && bad.every((j) => j.state === "cancelled")) return `${started} Cancelled.`;
  const why = (j: (typeof jobs)[number]) => (j.state === "failed" ? (j.exitCode !== null ? `exit ${j.exitCode}` : "failed") : j.state.replace("_", " "));
  return `${started} ${bad.length} of ${jobs.length} failed: ${bad.map((j) => `${j.host} (${why(j)})`).join(", ")}.`;
}
