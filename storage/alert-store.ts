// Alert groups: what each Alertmanager group last said, the message magi rendered from it, and whether the room has
// that message yet. A notification is committed here before it is acknowledged; the bot posts from here afterwards.
import type Database from "better-sqlite3";

// A message magi posted or queued: its event id, or its outbox row while it may not be sent yet.
export type AlertMessageRef = string | { outboxId: number };

// One episode of one group (route + groupKey): a group that fires again after resolving gets a new row and message.
export interface StoredAlertGroup<State, View> {
  id: number;
  route: string;
  groupKey: string;
  room: string;
  state: State;
  resolved: boolean;
  view: View;
  // Bumped whenever the rendered view changes; the room has postedRevision.
  revision: number;
  postedRevision: number;
  messageRef: AlertMessageRef | null;
  openedAt: number;
  updatedAt: number;
}

// What a notification makes of the latest episode: a new episode (open), or new contents for the latest one.
export interface AlertGroupUpdate<State, View> {
  open: boolean;
  state: State;
  resolved: boolean;
  view: View;
}

type Row = Omit<StoredAlertGroup<unknown, unknown>, "state" | "view" | "resolved" | "messageRef"> & { state: string; view: string; resolved: number; messageRef: string | null };

const COLUMNS = `id, route, group_key AS groupKey, room, state, resolved, view, revision, posted_revision AS postedRevision,
  message_ref AS messageRef, opened_at AS openedAt, updated_at AS updatedAt`;

// Reads and writes alert groups; State and View are stored as JSON and compared as JSON.
export function createAlertStore<State, View>(db: Database.Database) {
  const latest = db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM alert_groups WHERE route = ? AND group_key = ? ORDER BY id DESC LIMIT 1`);
  const byId = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM alert_groups WHERE id = ?`);
  const insert = db.prepare(`INSERT INTO alert_groups (route, group_key, room, state, resolved, view, revision, opened_at, updated_at)
    VALUES (@route, @groupKey, @room, @state, @resolved, @view, 1, @now, @now)`);
  const update = db.prepare(`UPDATE alert_groups SET state = @state, resolved = @resolved, view = @view, room = @room,
    revision = revision + @bump, updated_at = @now WHERE id = @id`);
  const pending = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM alert_groups WHERE posted_revision < revision ORDER BY id`);
  const waiting = db.prepare<[], { id: number; room: string }>("SELECT id, room FROM alert_groups WHERE posted_revision < revision ORDER BY id");
  const open = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM alert_groups WHERE resolved = 0 ORDER BY opened_at, id`);
  const posted = db.prepare("UPDATE alert_groups SET posted_revision = ?, message_ref = ? WHERE id = ?");
  const sent = db.prepare("UPDATE alert_groups SET message_ref = ? WHERE id = ? AND message_ref = ?");
  // A message is named by its event id, or still by its outbox row when magi stopped before noting the event id.
  const byMessage = db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM alert_groups WHERE message_ref = ?
    OR message_ref = (SELECT '{"outboxId":' || id || '}' FROM outbox WHERE event_id = ?) ORDER BY id DESC LIMIT 1`);
  const restyled = db.prepare("UPDATE alert_groups SET view = @view, revision = revision + 1, updated_at = @now WHERE id = @id");

  const toGroup = (row: Row): StoredAlertGroup<State, View> => ({
    ...row, state: JSON.parse(row.state) as State, view: JSON.parse(row.view) as View, resolved: row.resolved === 1,
    messageRef: row.messageRef === null ? null : (JSON.parse(row.messageRef) as AlertMessageRef),
  });

  // The same, with the view (the largest part, and one record rarely reads) parsed only when read.
  const toLatest = (row: Row): StoredAlertGroup<State, View> =>
    Object.defineProperty(toGroup({ ...row, view: "null" }), "view", { get: () => JSON.parse(row.view) as View, enumerable: true });

  return {
    // Applies a notification to the group's latest episode in one transaction; changed says the room must hear of it.
    record(route: string, groupKey: string, room: string, now: number, decide: (latest: StoredAlertGroup<State, View> | undefined) => AlertGroupUpdate<State, View>): { id: number; changed: boolean } {
      return db.transaction(() => {
        const row = latest.get(route, groupKey);
        // The view is compared as stored JSON, so it is parsed only if decide asks for it.
        const current = row ? toLatest(row) : undefined;
        const next = decide(current);
        const fields = { room, state: JSON.stringify(next.state), resolved: next.resolved ? 1 : 0, view: JSON.stringify(next.view), now };
        if (!row || next.open) return { id: Number(insert.run({ ...fields, route, groupKey }).lastInsertRowid), changed: true };
        const changed = fields.view !== row.view;
        update.run({ ...fields, bump: changed ? 1 : 0, id: row.id });
        return { id: row.id, changed };
      }).immediate();
    },
    get: (id: number) => {
      const row = byId.get(id);
      return row ? toGroup(row) : undefined;
    },
    // The episode whose message has this event id.
    findByMessage: (eventId: string) => {
      const row = byMessage.get(JSON.stringify(eventId), eventId);
      return row ? toGroup(row) : undefined;
    },
    // Renders a group's view anew from what it stores (say, after a silence); true when the room must see the change.
    restyle(id: number, now: number, render: (group: StoredAlertGroup<State, View>) => View): boolean {
      return db.transaction(() => {
        const row = byId.get(id);
        if (!row) return false;
        const view = JSON.stringify(render(toGroup(row)));
        if (view === row.view) return false;
        restyled.run({ view, now, id });
        return true;
      }).immediate();
    },
    // Episodes whose latest view the room does not have yet, oldest first.
    pending: () => pending.all().map(toGroup),
    // The same episodes named only by id and room: the poster's sweep reads them after every change, so no JSON is parsed.
    waiting: () => waiting.all(),
    // Episodes with an alert still firing, oldest first.
    open: () => open.all().map(toGroup),
    // Hands a group's latest view to send (which stores the message for sending) and records it, in one transaction:
    // with the outbox in the same database, a crash can neither lose the message nor send it twice.
    handOff(id: number, send: (group: StoredAlertGroup<State, View>) => AlertMessageRef): boolean {
      return db.transaction(() => {
        const row = byId.get(id);
        if (!row || row.postedRevision >= row.revision) return false;
        const group = toGroup(row);
        const ref = send(group);
        posted.run(row.revision, JSON.stringify(ref), id);
        return true;
      }).immediate();
    },
    // Replaces a queued message's outbox reference by its event id once sent, so later edits don't depend on the outbox row.
    noteSent(id: number, outboxId: number, eventId: string): void {
      sent.run(JSON.stringify(eventId), id, JSON.stringify({ outboxId }));
    },
  };
}

// The store's type.
export type AlertStore<State, View> = ReturnType<typeof createAlertStore<State, View>>;
