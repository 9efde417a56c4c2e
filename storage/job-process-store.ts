// The process each job's work runs as (the proc_* columns of jobs), read back on start to find
// deploys that outlived a crash of magi.
import type Database from "better-sqlite3";
import type { TrackedProcess } from "../runners/jobs/tracked-process.ts";

const COLUMNS = `proc_boot_id AS bootId, proc_pid AS pid, proc_pgid AS pgid, proc_start_ticks AS startTicks, proc_name AS name, proc_host AS host`;

// A running job and the process it recorded.
export interface RunningProcess {
  jobId: number;
  process: TrackedProcess;
}

// Reads and writes the process of a job.
export interface JobProcessStore {
  record(jobId: number, process: TrackedProcess): void;
  get(jobId: number): TrackedProcess | undefined;
  // Jobs left running with a recorded process, oldest first.
  listRunning(): RunningProcess[];
}

// A JobProcessStore over the jobs table.
export function createJobProcessStore(db: Database.Database): JobProcessStore {
  const record = db.prepare(
    "UPDATE jobs SET proc_boot_id = ?, proc_pid = ?, proc_pgid = ?, proc_start_ticks = ?, proc_name = ?, proc_host = ? WHERE id = ?",
  );
  const select = db.prepare<[number], TrackedProcess>(`SELECT ${COLUMNS} FROM jobs WHERE id = ? AND proc_pid IS NOT NULL`);
  const running = db.prepare<[], TrackedProcess & { jobId: number }>(
    `SELECT id AS jobId, ${COLUMNS} FROM jobs WHERE state = 'running' AND proc_pid IS NOT NULL ORDER BY id`,
  );
  return {
    record: (jobId, p) => void record.run(p.bootId, p.pid, p.pgid, p.startTicks, p.name, p.host, jobId),
    get: (jobId) => select.get(jobId),
    listRunning: () => running.all().map(({ jobId, ...process }) => ({ jobId, process })),
  };
}
