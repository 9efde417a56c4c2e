// How an approval prompt reads, as it is posted and as it is edited with votes and the decision.
import { describeApprovers, type ApprovalPolicy, type ApprovalState, type Vote } from "./approval-policy.ts";
import { formatDuration } from "../runners/jobs/format-duration.ts";
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
}

// The prompt's text for its current state.
export function describePrompt(p: PromptInfo): Block[] {
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
