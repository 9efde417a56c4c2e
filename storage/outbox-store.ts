// The outbox: every message magi must send is a row here before it is sent, so neither a rate limit nor a restart loses it.
import type Database from "better-sqlite3";

// One stored message: an edit names its target either by outbox row (not sent yet when queued) or by event id.
export interface OutboxRow {
  id: number;
  roomId: string;
  eventType: string;
  content: Record<string, unknown>;
  txnId: string;
  editsRow: number | null;
  editsEventId: string | null;
  priority: number;
  state: "pending" | "sent" | "superseded" | "failed";
  attempts: number;
  createdAt: number;
  eventId: string | null;
}

// What a caller stores; the transaction id is chosen once here and reused by every attempt.
export type NewOutboxRow = Pick<OutboxRow, "roomId" | "eventType" | "content" | "txnId" | "editsRow" | "editsEventId" | "priority" | "createdAt">;

// Reads and changes outbox rows.
export interface OutboxStore {
  add(row: NewOutboxRow): OutboxRow;
  get(id: number): OutboxRow | undefined;
  pending(): OutboxRow[];
  // How many rows wait to be sent (the /metrics outbox depth), without reading them.
  countPending(): number;
  // Marks older pending edits of the same message superseded (an edit shows the whole message, so only the newest matters); returns their ids.
  supersedeEdits(row: OutboxRow, except: number[]): number[];
  countAttempt(id: number): void;
  replaceContent(id: number, content: Record<string, unknown>, txnId: string): void;
  markSent(id: number, eventId: string, at: number): void;
  markFailed(id: number, error: string, at: number): void;
  pruneBefore(at: number): number;
}

const COLUMNS = `id, room_id AS roomId, event_type AS eventType, content, txn_id AS txnId, edits_row AS editsRow,
  edits_event_id AS editsEventId, priority, state, attempts, created_at AS createdAt, event_id AS eventId`;

type Row = Omit<OutboxRow, "content"> & { content: string };
const toRow = (row: Row): OutboxRow => ({ ...row, content: JSON.parse(row.content) as Record<string, unknown> });

// An OutboxStore over the outbox table.
export function createOutboxStore(db: Database.Database): OutboxStore {
  const insert = db.prepare(
    `INSERT INTO outbox (room_id, event_type, content, txn_id, edits_row, edits_event_id, priority, state, created_at)
     VALUES (@roomId, @eventType, @content, @txnId, @editsRow, @editsEventId, @priority, 'pending', @createdAt)`,
  );
  const select = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`);
  const selectPending = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY id`);
  const countPending = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'pending'");
  const sameTarget = db.prepare<[number | null, string | null, number], { id: number }>(
    `SELECT id FROM outbox WHERE state = 'pending' AND (edits_row = ? OR edits_event_id = ?) AND id < ?`,
  );
  const supersede = db.prepare("UPDATE outbox SET state = 'superseded' WHERE id = ? AND state = 'pending'");
  const attempt = db.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?");
  const replace = db.prepare("UPDATE outbox SET content = ?, txn_id = ? WHERE id = ?");
  const sent = db.prepare("UPDATE outbox SET state = 'sent', event_id = ?, sent_at = ? WHERE id = ?");
  const failed = db.prepare("UPDATE outbox SET state = 'failed', error = ?, sent_at = ? WHERE id = ?");
  // Sent rows are kept a while: a later edit of a message may still look up its event id by row.
  const prune = db.prepare("DELETE FROM outbox WHERE state != 'pending' AND created_at < ? AND id NOT IN (SELECT edits_row FROM outbox WHERE state = 'pending' AND edits_row IS NOT NULL)");
  const get = (id: number) => {
    const row = select.get(id);
    return row ? toRow(row) : undefined;
  };
  return {
    add: (row) => {
      const id = Number(insert.run({ ...row, content: JSON.stringify(row.content) }).lastInsertRowid);
      return get(id)!;
    },
    get,
    pending: () => selectPending.all().map(toRow),
    countPending: () => countPending.get()!.n,
    supersedeEdits: (row, except) =>
      db.transaction(() => {
        if (row.editsRow === null && row.editsEventId === null) return [];
        const older = sameTarget.all(row.editsRow, row.editsEventId, row.id).map((r) => r.id).filter((id) => !except.includes(id));
        for (const id of older) supersede.run(id);
        return older;
      })(),
    countAttempt: (id) => void attempt.run(id),
    replaceContent: (id, content, txnId) => void replace.run(JSON.stringify(content), txnId, id),
    markSent: (id, eventId, at) => void sent.run(eventId, at, id),
    markFailed: (id, error, at) => void failed.run(error, at, id),
    pruneBefore: (at) => prune.run(at).changes,
  };
}
