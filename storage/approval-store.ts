// Pending approval requests and their votes, so a restart loses nothing and a decision is taken exactly once.
import type Database from "better-sqlite3";
import type { ApprovalPolicy, ApprovalState, Vote } from "../commands/core/approval-policy.ts";
import type { VoteKind } from "../commands/core/reaction-keys.ts";

// A stored request.
export interface StoredApproval {
  id: number;
  roomId: string;
  commandEventId: string;
  auditId: number | null;
  requester: string;
  text: string;
  work: string;
  policy: ApprovalPolicy;
  state: ApprovalState;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  // When magi ran the approved command (or said it would not); set in the same transaction as the command's jobs.
  actedAt: number | null;
  promptEventId: string | null;
  // What the approval is bound to (e.g. the exact sha a deploy will use).
  binding: Record<string, string>;
  votes: Vote[];
}

// Fields of a new request.
export type NewApproval = Pick<StoredApproval, "roomId" | "commandEventId" | "auditId" | "requester" | "text" | "work" | "policy" | "createdAt" | "expiresAt"> & { binding?: Record<string, string> };

const COLUMNS = `id, room_id AS roomId, command_event_id AS commandEventId, audit_id AS auditId, requester, text, work, policy,
  state, created_at AS createdAt, expires_at AS expiresAt, decided_at AS decidedAt, decided_by AS decidedBy, acted_at AS actedAt, prompt_event_id AS promptEventId, binding`;

// Reads and writes approvals.
export function createApprovalStore(db: Database.Database) {
  const insert = db.prepare(`INSERT INTO approvals (room_id, command_event_id, audit_id, requester, text, work, policy, state, created_at, expires_at, binding)
    VALUES (@roomId, @commandEventId, @auditId, @requester, @text, @work, @policy, 'pending', @createdAt, @expiresAt, @binding)`);
  const byId = db.prepare<[number], Record<string, unknown>>(`SELECT ${COLUMNS} FROM approvals WHERE id = ?`);
  const byPrompt = db.prepare<[string], { id: number }>("SELECT id FROM approvals WHERE prompt_event_id = ?");
  const byCommand = db.prepare<[string], { id: number }>("SELECT id FROM approvals WHERE command_event_id = ?");
  const votes = db.prepare<[number], Vote>("SELECT reaction_event_id AS reactionId, voter, kind FROM approval_votes WHERE approval_id = ? AND withdrawn = 0 ORDER BY cast_at");
  const addVote = db.prepare("INSERT OR IGNORE INTO approval_votes (reaction_event_id, approval_id, voter, kind, cast_at) VALUES (?, ?, ?, ?, ?)");
  const withdraw = db.prepare<[string], { approvalId: number }>("UPDATE approval_votes SET withdrawn = 1 WHERE reaction_event_id = ? AND withdrawn = 0 RETURNING approval_id AS approvalId");
  const setPrompt = db.prepare("UPDATE approvals SET prompt_event_id = ? WHERE id = ?");
  const transition = db.prepare("UPDATE approvals SET state = ?, decided_at = ?, decided_by = ? WHERE id = ? AND state = 'pending'");
  const dueIds = db.prepare<[number], { id: number }>("SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= ?");
  const markActed = db.prepare("UPDATE approvals SET acted_at = ? WHERE id = ? AND state = 'approved' AND acted_at IS NULL");
  // A job a restart cut off before its work marked its launch: it did nothing beyond magi, so running it again is no repeat.
  const NEVER_BEGAN = "state = 'interrupted' AND launch_deferred = 1 AND launched_at IS NULL";
  // Approved, but magi stopped before the command's jobs were stored, or before any of them began: no acted_at and no job that did anything.
  const unacted = db.prepare<[], { id: number }>(
    `SELECT id FROM approvals a WHERE state = 'approved' AND acted_at IS NULL AND NOT EXISTS (SELECT 1 FROM jobs WHERE approval_id = a.id AND NOT (${NEVER_BEGAN})) ORDER BY id`,
  );
  // Acted on, but every job it made was cut off before it began: open it for one more run (markActed closes it again with the new jobs).
  const reopen = db.prepare(
    `UPDATE approvals SET acted_at = NULL WHERE state = 'approved' AND acted_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM jobs WHERE approval_id = approvals.id) AND NOT EXISTS (SELECT 1 FROM jobs WHERE approval_id = approvals.id AND NOT (${NEVER_BEGAN}))`,
  );
  const latestOwn = db.prepare<[string, string], { id: number }>(
    "SELECT id FROM approvals WHERE state = 'pending' AND room_id = ? AND requester = ? ORDER BY id DESC LIMIT 1",
  );

  const get = (id: number): StoredApproval | undefined => {
    const row = byId.get(id);
    if (!row) return undefined;
    const parsed = { policy: JSON.parse(row.policy as string) as ApprovalPolicy, binding: JSON.parse(row.binding as string) as Record<string, string> };
    return { ...(row as unknown as StoredApproval), ...parsed, votes: votes.all(id) };
  };
  return {
    create: (a: NewApproval) => get(Number(insert.run({ ...a, policy: JSON.stringify(a.policy), binding: JSON.stringify(a.binding ?? {}) }).lastInsertRowid))!,
    get,
    findByPrompt: (eventId: string) => {
      const row = byPrompt.get(eventId);
      return row ? get(row.id) : undefined;
    },
    findByCommand: (eventId: string) => {
      const row = byCommand.get(eventId);
      return row ? get(row.id) : undefined;
    },
    setPrompt: (id: number, eventId: string) => void setPrompt.run(eventId, id),
    // Records a vote once per reaction event; false if that reaction was already counted.
    addVote: (id: number, reactionId: string, voter: string, kind: VoteKind, now: number) => addVote.run(reactionId, id, voter, kind, now).changes === 1,
    // Withdraws the vote a redacted reaction cast; returns the request it belonged to.
    withdrawVote: (reactionId: string) => withdraw.get(reactionId)?.approvalId,
    // Moves a pending request to a final state; true only for the one caller that made the move.
    transition: (id: number, state: ApprovalState, now: number, by: string | null) => transition.run(state, now, by, id).changes === 1,
    dueForExpiry: (now: number) => dueIds.all(now).map((r) => r.id),
    // Records that magi acted on an approval; true only the first time, so an approval runs its command once.
    markActed: (id: number, now: number) => markActed.run(now, id).changes === 1,
    // Approvals a crash left between the decision and the run, or whose jobs it cut off before they began.
    listUnacted: () => db.transaction(() => (reopen.run(), unacted.all().map((r) => r.id)))(),
    // The requester's newest pending request in a room, for !cancel without a job id.
    latestPendingOf: (roomId: string, requester: string) => latestOwn.get(roomId, requester)?.id,
  };
}

// The approval store's interface.
export type ApprovalStore = ReturnType<typeof createApprovalStore>;
