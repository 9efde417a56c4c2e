// The process each job's work runs as (the proc_* columns of jobs), read back on start to find
// deploys that outlived a crash of magi.
import type Database from "better-sqlite3";
import type { TrackedProcess } from "../runners/jobs/tracked-process.ts";

const COLUMNS = `proc_boot_id AS bootId, proc_pid AS pid, proc_pgid AS pgid, proc_start_ticks AS startTicks, proc_name AS name, proc_host AS host, proc_status_dir AS statusDir`;

type Row = Omit<TrackedProcess, "statusDir"> & { statusDir: string | null };

// A row as a TrackedProcess: a local process has no status directory at all.
function toProcess({ statusDir, ...rest }: Row): TrackedProcess {
  return statusDir === null ? rest : { ...rest, statusDir };
}

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
    "UPDATE jobs SET proc_boot_id = ?, proc_pid = ?, proc_pgid = ?, proc_start_ticks = ?, proc_name = ?, proc_host = ?, proc_status_dir = ? WHERE id = ?",
  );
  const select = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM jobs WHERE id = ? AND proc_pid IS NOT NULL`);
  const running = db.prepare<[], Row & { jobId: number }>(
    `SELECT id AS jobId, ${COLUMNS} FROM jobs WHERE state = 'running' AND proc_pid IS NOT NULL ORDER BY id`,
  );
  return {
    record: (jobId, p) => void record.run(p.bootId, p.pid, p.pgid, p.startTicks, p.name, p.host, p.statusDir ?? null, jobId),
    get: (jobId) => {
      const row = select.get(jobId);
      return row && toProcess(row);
    },
    listRunning: () => running.all().map(({ jobId, ...row }) => ({ jobId, process: toProcess(row) })),
  };
}
