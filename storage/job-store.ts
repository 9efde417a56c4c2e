// Jobs and their logs in SQLite: every state change is written before anyone is told about it.
import type Database from "better-sqlite3";
import type { JobRecord, JobState, JobStore, NewJob } from "../runners/jobs/types.ts";

export type { JobStore, NewJob } from "../runners/jobs/types.ts";

const COLUMNS = `id, command, host, requester, room_id AS roomId, mutating, state, phase, created_at AS createdAt,
  started_at AS startedAt, finished_at AS finishedAt, exit_code AS exitCode, summary, message_event_id AS messageEventId`;
const FIELDS: Record<string, string> = {
  state: "state", phase: "phase", startedAt: "started_at", finishedAt: "finished_at",
  exitCode: "exit_code", summary: "summary", messageEventId: "message_event_id",
};

type Row = Omit<JobRecord, "mutating"> & { mutating: number };
const toRecord = (row: Row): JobRecord => ({ ...row, mutating: row.mutating === 1 });

// A JobStore over the jobs and job_logs tables.
export function createJobStore(db: Database.Database): JobStore {
  const insert = db.prepare(
    "INSERT INTO jobs (command, host, requester, room_id, mutating, state, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)",
  );
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
    return get(id)!;
  };
  return {
    insert: (job) => get(Number(insert.run(job.command, job.host, job.requester, job.roomId, job.mutating ? 1 : 0, job.createdAt).lastInsertRowid))!,
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
  };
}
