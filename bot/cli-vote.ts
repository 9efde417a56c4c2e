// `magi do approve <id>` / `magi do reject <id>`: a vote on a request (made in the room or at a terminal) under the
// same rules as a reaction, audited as coming from the terminal; an approval's jobs then stream to this terminal.
import { randomBytes } from "node:crypto";
import type { JobRecord, JobsPort } from "../runners/jobs/types.ts";
import type { ApprovalStore } from "../storage/approval-store.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { Logger } from "pino";
import type { Approvals } from "./approvals.ts";
import { TERMINAL_REQUEST_PREFIX } from "./build-reply.ts";
import type { CliSession } from "./cli-socket-server.ts";
import { streamJobs } from "./cli-stream-jobs.ts";
import type { Level } from "../domain/levels.ts";

// How long an approver's terminal waits for the approved command's jobs to be stored before pointing at `magi do jobs`.
const JOBS_APPEAR_MS = 15_000;

// What a terminal vote needs.
export interface VoteDeps {
  approvals: Pick<Approvals, "castVote">;
  approvalStore: Pick<ApprovalStore, "get">;
  audit: AuditLog;
  jobs: Pick<JobsPort, "get" | "readLog">;
  listJobs(limit: number): JobRecord[];
  session: Pick<CliSession, "write" | "connected">;
  log: Logger;
  now(): number;
  roomId: string;
  levelIn?(roomId: string, userId: string): Level;
}

// The vote as typed: approve or reject, the words after it, and who casts it.
export interface TerminalVote {
  kind: "approve" | "reject";
  words: string[];
  matrixId: string | undefined;
  who: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The jobs an approval started, oldest first, once they are stored; empty if none appear in time.
async function waitForApprovalJobs(deps: VoteDeps, approvalId: number): Promise<JobRecord[]> {
  const until = deps.now() + JOBS_APPEAR_MS;
  for (;;) {
    const acted = deps.approvalStore.get(approvalId)?.actedAt ?? null;
    const jobs = deps.listJobs(50).filter((j) => j.approvalId === approvalId).reverse();
    if (acted !== null || deps.now() > until) return jobs;
    await sleep(200);
  }
}

// Casts the vote and reports what became of it; resolves with the exit code.
export async function castTerminalVote(deps: VoteDeps, vote: TerminalVote): Promise<number> {
  const { session } = deps;
  const usage = `usage: magi do ${vote.kind} <request id>`;
  const [idWord, ...extra] = vote.words;
  const record = (roomId: string, decision: "allowed" | "denied" | "invalid", outcome: string) =>
    deps.audit.record({ at: deps.now(), roomId, eventId: null, sender: vote.matrixId ?? vote.who, text: `${vote.kind} ${vote.words.join(" ")}`.trim(), level: 0, command: vote.kind, decision, outcome });
  if (idWord === undefined || !/^\d{1,9}$/.test(idWord) || extra.length > 0) {
    session.write(`${usage} (the request id is in the prompt and in the requester's terminal)`);
    record(deps.roomId, "invalid", "not counted: no request id");
    return 2;
  }
  const id = Number(idWord);
  if (!vote.matrixId) {
    session.write(`Your Unix user (${vote.who}) is not mapped to a Matrix user in magi's config (cli.users), so it cannot vote; nothing was counted.`);
    record(deps.roomId, "denied", "not counted: unmapped Unix user");
    return 1;
  }
  const roomId = deps.approvalStore.get(id)?.roomId ?? deps.roomId;
  const cast = deps.approvals.castVote(id, vote.matrixId, vote.kind, `${TERMINAL_REQUEST_PREFIX}vote-${randomBytes(8).toString("hex")}`);
  if ("refused" in cast) {
    session.write(`Not counted: ${cast.refused}.`);
    record(roomId, "denied", `not counted: ${cast.refused}`);
    return 1;
  }
  // The decision is stored before castVote returns; what it starts (and the room's prompt edits) runs on without us.
  void cast.decided.catch((error: Error) => deps.log.error({ approvalId: id, err: error.message }, "terminal vote's decision failed"));
  const a = deps.approvalStore.get(id)!;
  record(roomId, "allowed", `${vote.kind === "approve" ? "approval" : "rejection"} of request ${id} counted; request ${a.state}`);
  if (a.state === "pending") {
    session.write(`Counted your ${vote.kind === "approve" ? "approval" : "rejection"} of request ${id} (${a.work}); it still waits for more approvals.`);
    return 0;
  }
  if (a.state !== "approved") {
    session.write(`Request ${id} (${a.work}) is now ${a.state}; nothing runs.`);
    return 0;
  }
  session.write(`Request ${id} (${a.work}) is approved by ${a.decidedBy}; running it now.`);
  const jobs = await waitForApprovalJobs(deps, id);
  if (jobs.length === 0) {
    session.write("It started no job (see the room, or magi do audit).");
    return 0;
  }
  const ended = await streamJobs(jobs.map((j) => j.id), deps.jobs, session, "magi do ");
  return ended.every((j) => j.state === "succeeded") ? 0 : 1;
}
