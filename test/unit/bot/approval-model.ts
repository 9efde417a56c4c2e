// An independent model of the approval rules, written from the spec rather than the code: what state each request
// should end in, given the same events in the same order. The property test compares the real flow against it.
import type { ApprovalPolicy, ApprovalState } from "../../../commands/core/approval-policy.ts";
import type { Level } from "../../../domain/levels.ts";
import type { VoteKind } from "../../../commands/core/reaction-keys.ts";

interface ModelRequest {
  requester: string;
  policy: ApprovalPolicy;
  expiresAt: number;
  state: ApprovalState;
}

interface ModelVote {
  request: number;
  voter: string;
  kind: VoteKind;
  withdrawn: boolean;
}

// Whether a voter may approve under a policy: the level, the self rule, never magi itself.
export function mayApprove(policy: ApprovalPolicy, requester: string, voter: string, level: Level, bot: string): boolean {
  if (voter === bot || level < policy.minLevel) return false;
  if (policy.self === "only") return voter === requester;
  return policy.self === "allowed" || voter !== requester;
}

// The model: requests by index, votes by reaction event id (a reaction counts at most once, ever).
export function createApprovalModel(bot: string, levelOf: (user: string) => Level) {
  const requests: ModelRequest[] = [];
  const votes = new Map<string, ModelVote>();

  const evaluate = (index: number, now: number) => {
    const r = requests[index]!;
    if (r.state !== "pending") return;
    const active = [...votes.values()].filter((v) => v.request === index && !v.withdrawn);
    if (now >= r.expiresAt) r.state = "expired";
    else if (active.some((v) => v.kind === "reject")) r.state = "rejected";
    else if (new Set(active.filter((v) => v.kind === "approve").map((v) => v.voter)).size >= r.policy.approvals) r.state = "approved";
  };

  return {
    requests,
    request: (requester: string, policy: ApprovalPolicy, now: number) => requests.push({ requester, policy, expiresAt: now + policy.expiresMs, state: "pending" }) - 1,
    react: (index: number, voter: string, reactionId: string, kind: VoteKind | undefined, now: number) => {
      const r = requests[index]!;
      if (voter === bot || !kind || r.state !== "pending") return;
      // The requester may always call their own request off; everything else needs an eligible voter.
      const callingOff = kind === "reject" && voter === r.requester;
      if (!callingOff && !mayApprove(r.policy, r.requester, voter, levelOf(voter), bot)) return;
      if (votes.has(reactionId)) return;
      votes.set(reactionId, { request: index, voter, kind, withdrawn: false });
      evaluate(index, now);
    },
    redact: (reactionId: string, now: number) => {
      const vote = votes.get(reactionId);
      if (!vote || vote.withdrawn) return;
      vote.withdrawn = true;
      evaluate(vote.request, now);
    },
    // Deleting the command calls a pending request off, if its requester or a room moderator deleted it.
    deleteCommand: (index: number, by: string, moderator: boolean) => {
      const r = requests[index]!;
      if (r.state === "pending" && (by === r.requester || moderator)) r.state = "cancelled";
    },
    sweep: (now: number) => requests.forEach((r, i) => r.expiresAt <= now && evaluate(i, now)),
    // The votes that count on a request, in the order they were cast.
    activeVotes: (index: number) => [...votes.entries()].filter(([, v]) => v.request === index && !v.withdrawn).map(([reactionId, v]) => ({ reactionId, voter: v.voter, kind: v.kind })),
  };
}
