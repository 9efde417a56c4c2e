// Approval policies and the pure rules that decide what a vote does to a pending request.
import { describeLevel, type Level } from "../../domain/levels.ts";
import type { VoteKind } from "./reaction-keys.ts";

// How many approvals from whom, and for how long a request stays open.
export interface ApprovalPolicy {
  approvals: number;
  minLevel: Level;
  // forbidden: others must approve (default); allowed: anyone incl. the requester; only: the requester confirms their own request.
  self: "forbidden" | "allowed" | "only";
  expiresMs: number;
}

// Where a request is; every state but pending is final.
export type ApprovalState = "pending" | "approved" | "rejected" | "expired" | "cancelled";

// A vote that counts (withdrawn votes are removed).
export interface Vote {
  reactionId: string;
  voter: string;
  kind: VoteKind;
}

// A request as the rules see it.
export interface ApprovalRequest {
  requester: string;
  policy: ApprovalPolicy;
  state: ApprovalState;
  expiresAt: number;
  votes: Vote[];
}

// Whether this voter may vote on this request; a reason if not.
export function checkVoter(request: ApprovalRequest, voter: string, level: Level): string | undefined {
  const own = voter === request.requester;
  if (request.policy.self === "only" && !own) return `only ${request.requester} may confirm this`;
  if (request.policy.self === "forbidden" && own) return "the requester may not approve their own request";
  if (level < request.policy.minLevel) return `approvers need level ${describeLevel(request.policy.minLevel)}; ${voter} has ${describeLevel(level)}`;
  return undefined;
}

// What the votes add up to now: still pending, approved, rejected or expired. Time wins over votes cast after expiry.
export function decide(request: ApprovalRequest, now: number): ApprovalState {
  if (request.state !== "pending") return request.state;
  if (now >= request.expiresAt) return "expired";
  if (request.votes.some((v) => v.kind === "reject")) return "rejected";
  const approvers = new Set(request.votes.filter((v) => v.kind === "approve").map((v) => v.voter));
  return approvers.size >= request.policy.approvals ? "approved" : "pending";
}

// Who may approve, in words for the prompt.
export function describeApprovers(request: Pick<ApprovalRequest, "requester" | "policy">): string {
  if (request.policy.self === "only") return `only ${request.requester} may confirm`;
  const who = `${request.policy.approvals} approval${request.policy.approvals > 1 ? "s" : ""} from level ${describeLevel(request.policy.minLevel)} or above`;
  return request.policy.self === "forbidden" ? `${who}, not from ${request.requester}` : who;
}
