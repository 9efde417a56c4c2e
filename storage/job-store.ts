// Jobs and their logs in SQLite: every state change is written before anyone is told about it.
import type Database from "better-sqlite3";
import { capEcho } from "../commands/core/echo.ts";
import { TERMINAL_STATES, type JobRecord, type JobState, type JobStore, type NewJob } from "../runners/jobs/types.ts";

export type { JobStore, NewJob } from "../runners/jobs/types.ts";

const COLUMNS = `id, command, host, requester, room_id AS roomId, mutating, state, phase, created_at AS createdAt,
  started_at AS startedAt, finished_at AS finishedAt, exit_code AS exitCode, summary, message_event_id AS messageEventId,
  audit_id AS auditId, approval_id AS approvalId, launch_deferred AS launchDeferred, launched_at AS launchedAt`;
const FIELDS: Record<string, string> = {
  state: "state", phase: "phase", startedAt: "started_at", finishedAt: "finished_at",
  exitCode: "exit_code", summary: "summary", messageEventId: "message_event_id", launchedAt: "launched_at",
};

type Row = Omit<JobRecord, "mutating" | "launchDeferred"> & { mutating: number; launchDeferred: number };
const toRecord = (row: Row): JobRecord => ({ ...row, mutating: row.mutating === 1, launchDeferred: row.launchDeferred === 1 });

// How long an audit outcome may be.
const OUTCOME_MAX = 500;
const stateWords = (state: JobState) => state.replace("_", " ");

// The audit outcome of a command from its jobs as they stand: "job 12 succeeded: deployed …", or "jobs 12 succeeded, 13 failed".
export function describeJobsOutcome(jobs: Pick<JobRecord, "id" | "state" | "summary">[], approvedBy: string | null): string {
  const prefix = approvedBy ? `approved by ${approvedBy}; ` : "";
  const ended = (j: (typeof jobs)[number]) => TERMINAL_STATES.includes(j.state);
  if (jobs.length === 1) {
    const job = jobs[0]!;
    return capEcho(`${prefix}job ${job.id}${ended(job) ? ` ${stateWords(job.state)}: ${job.summary ?? ""}` : ""}`, OUTCOME_MAX);
  }
  return capEcho(`${prefix}jobs ${jobs.map((j) => (ended(j) ? `${j.id} ${j.state}` : `${j.id}`)).join(", ")}`, OUTCOME_MAX);
}

// A JobStore over the jobs and job_logs tables.
export function createJobStore(db: Database.Database): JobStore {
  const insert = db.prepare(
    "INSERT INTO jobs (command, host, requester, room_id, mutating, state, created_at, audit_id, approval_id, launch_deferred) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
  );
  const jobsOfAudit = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM jobs WHERE audit_id = ? ORDER BY id`);
  const approvers = db.prepare<[number], { decidedBy: string | null }>("SELECT decided_by AS decidedBy FROM approvals WHERE id = ?");
  const setOutcome = db.prepare("UPDATE audit SET outcome = ? WHERE id = ?");
  // The audit row follows its jobs from the store, so it is right however a job ends: finished, cancelled, or interrupted by a restart.
  const completeAudit = (job: JobRecord) => {
    if (job.auditId === null) return;
    const by = job.approvalId === null ? null : (approvers.get(job.approvalId)?.decidedBy ?? null);
    setOutcome.run(describeJobsOutcome(jobsOfAudit.all(job.auditId), by), job.auditId);
  };
  const select = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`);
  const list = db.prepare<[number], Row>(
    `SELECT ${COLUMNS} FROM jobs ORDER BY CASE WHEN state IN ('running', 'queued') THEN 0 ELSE 1 END, id DESC LIMIT ?`,
  );
  const nextSeq = db.prepare<[number], { seq: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM job_logs WHERE job_id = ?");
  const append = db.prepare("INSERT INTO job_logs (job_id, seq, text) VALUES (?, ?, ?)");
  const readLog = db.prepare<[number], { text: string }>("SELECT text FROM job_logs WHERE job_id = ? ORDER BY seq");
  const unfinished = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM jobs WHERE state IN ('queued', 'running') ORDER BY id`);
  const seqs = new Map<number, number>();
  // One prepared UPDATE per combination of changed columns, instead of preparing on every change.
  const updates = new Map<string, Database.Statement>();
  const get = (id: number) => {
    const row = select.get(id);
    return row ? toRecord(row) : undefined;
  };
  const update: JobStore["update"] = (id, changes) => {
    const entries = Object.entries(changes).filter(([key]) => FIELDS[key] !== undefined);
    if (entries.length > 0) {
      const sets = entries.map(([key]) => `${FIELDS[key]} = @${key}`).join(", ");
      let statement = updates.get(sets);
      if (!statement) updates.set(sets, (statement = db.prepare(`UPDATE jobs SET ${sets} WHERE id = @id`)));
      statement.run({ ...Object.fromEntries(entries), id });
    }
    const job = get(id)!;
    if (changes.state !== undefined && TERMINAL_STATES.includes(changes.state)) completeAudit(job);
    return job;
  };
  return {
    insert: (job) => {
      const id = Number(insert.run(job.command, job.host, job.requester, job.roomId, job.mutating ? 1 : 0, job.createdAt, job.auditId ?? null, job.approvalId ?? null, job.launchDeferred ? 1 : 0).lastInsertRowid);
      const stored = get(id)!;
      completeAudit(stored);
      return stored;
    },
    get,
    update,
    list: (limit) => list.all(limit).map(toRecord),
    appendLog: (id, text) => {
      const seq = seqs.get(id) ?? nextSeq.get(id)!.seq;
      append.run(id, seq, text);
      seqs.set(id, seq + 1);
    },
    readLog: (id) => (get(id) ? readLog.all(id).map((r) => r.text).join("") : undefined),
    interruptUnfinished: (now, keep) =>
      db.transaction(() => unfinished.all().filter((row) => !keep?.has(row.id)).map((row) => update(row.id, { state: "interrupted" as JobState, finishedAt: now })))(),
    transaction: (fn) => db.transaction(fn)(),
  };
}
