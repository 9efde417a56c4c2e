// The audit table: one row per command, written before it runs and completed with its outcome.
import type Database from "better-sqlite3";
import { capEcho } from "../commands/core/echo.ts";

// How much of a message an audit row keeps: enough to read what was asked, never a 60,000-character paste.
const AUDIT_TEXT_MAX = 300;

// Whether a command was let through.
export type AuditDecision = "allowed" | "denied" | "invalid" | "stale";

// Where an action came from: a room (a message or reaction), the terminal (`magi do`) or a Forgejo push (mode deploy).
export type AuditSource = "room" | "cli" | "forgejo";

// A row as stored.
export interface AuditRow {
  id: number;
  at: number;
  roomId: string;
  eventId: string | null;
  sender: string;
  text: string;
  level: number;
  command: string | null;
  decision: AuditDecision;
  outcome: string | null;
  source: AuditSource;
}

// What is known about a command when it arrives.
export type NewAuditRow = Omit<AuditRow, "id" | "outcome" | "source"> & { outcome?: string | null; source?: AuditSource };

// Writes and reads audit rows.
export interface AuditLog {
  record(row: NewAuditRow): number;
  // Writes the row in the same transaction as claim (an event's once-only mark); nothing, and undefined, when the claim fails.
  recordClaimed(row: NewAuditRow, claim: () => boolean): number | undefined;
  setOutcome(id: number, outcome: string): void;
  recent(limit: number): AuditRow[];
}

// An AuditLog backed by the audit table.
export function createAuditLog(db: Database.Database): AuditLog {
  const insert = db.prepare(
    `INSERT INTO audit (at, room_id, event_id, sender, text, level, command, decision, outcome, source)
     VALUES (@at, @roomId, @eventId, @sender, @text, @level, @command, @decision, @outcome, @source)`,
  );
  const update = db.prepare("UPDATE audit SET outcome = ? WHERE id = ?");
  const select = db.prepare<[number], AuditRow>(
    `SELECT id, at, room_id AS roomId, event_id AS eventId, sender, text, level, command, decision, outcome, source
     FROM audit ORDER BY id DESC LIMIT ?`,
  );
  const record = (row: NewAuditRow) =>
    Number(insert.run({ ...row, text: capEcho(row.text, AUDIT_TEXT_MAX), command: row.command === null ? null : capEcho(row.command), outcome: row.outcome ?? null, source: row.source ?? "room" }).lastInsertRowid);
  // One commit instead of two, and no crash can leave a claimed event without its trace.
  const recordClaimed = db.transaction((row: NewAuditRow, claim: () => boolean) => (claim() ? record(row) : undefined));
  return {
    record,
    recordClaimed: (row, claim) => recordClaimed(row, claim),
    setOutcome: (id, outcome) => void update.run(outcome, id),
    recent: (limit) => select.all(limit),
  };
}

// The same log with every new row marked as coming from source (the terminal path records through this).
export function withAuditSource(audit: AuditLog, source: AuditSource): AuditLog {
  return { ...audit, record: (row) => audit.record({ ...row, source }), recordClaimed: (row, claim) => audit.recordClaimed({ ...row, source }, claim) };
}
