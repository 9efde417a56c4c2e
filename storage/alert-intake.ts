// Accepted Alertmanager notifications not yet applied to their alert groups, oldest first.
import type Database from "better-sqlite3";

// One accepted notification: its route's name, its validated payload as JSON, and when it arrived.
export interface IntakeRow {
  id: number;
  route: string;
  payload: string;
  receivedAt: number;
}

// Reads and writes the intake.
export function createAlertIntake(db: Database.Database) {
  const insert = db.prepare("INSERT INTO alert_intake (route, payload, received_at) VALUES (?, ?, ?)");
  const oldest = db.prepare<[number], IntakeRow>("SELECT id, route, payload, received_at AS receivedAt FROM alert_intake ORDER BY id LIMIT ?");
  const remove = db.prepare("DELETE FROM alert_intake WHERE id <= ?");
  const count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM alert_intake");
  // Made once: better-sqlite3 builds a wrapper per db.transaction() call.
  const inTransaction = db.transaction((work: () => unknown) => work());
  return {
    // Stores a notification; its id orders it among the others.
    add: (route: string, payload: string, receivedAt: number): number => Number(insert.run(route, payload, receivedAt).lastInsertRowid),
    // Up to limit notifications, in the order they arrived.
    oldest: (limit: number): IntakeRow[] => oldest.all(limit),
    // Drops every notification up to and including id, once applied.
    removeThrough: (id: number): void => void remove.run(id),
    // Notifications waiting to be applied.
    count: (): number => count.get()!.n,
    // Runs work in one transaction: applying notifications and dropping them commit together.
    transact: <T>(work: () => T): T => inTransaction.immediate(work) as T,
  };
}

// The intake's type.
export type AlertIntake = ReturnType<typeof createAlertIntake>;
