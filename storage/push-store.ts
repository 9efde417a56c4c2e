// Forgejo pushes: each accepted delivery, committed before the webhook is answered, and the message the room has for it.
// A newer push to the same branch marks older open proposals superseded; a 🚀 claims a proposal once; a deploy-mode push's
// deploy is claimed once (deploy_started_at), so replays, restarts and sweeps start it at most once.
import type Database from "better-sqlite3";

// A message magi posted or queued: its event id, or its outbox row while it may not be sent yet.
export type PushMessageRef = string | { outboxId: number };

// One stored push; View is what the message is rendered from (stored as JSON).
export interface StoredPush<View> {
  id: number;
  route: string;
  delivery: string;
  room: string;
  branch: string;
  sha: string;
  kind: string;
  hosts: string[];
  view: View;
  supersededBy: string | null;
  requestedBy: string | null;
  // Mode deploy: the hosts deployed at once (no approval needed), as whom, and when that deploy was started.
  deployHosts: string[];
  deployAs: string | null;
  deployStartedAt: number | null;
  revision: number;
  postedRevision: number;
  messageRef: PushMessageRef | null;
  receivedAt: number;
}

// A push as the intake hands it over.
export type NewPush<View> = Pick<StoredPush<View>, "route" | "delivery" | "room" | "branch" | "sha" | "kind" | "hosts" | "view" | "receivedAt">
  & Partial<Pick<StoredPush<View>, "deployHosts" | "deployAs">>;

// A deploy-mode push whose deploy has not started, with the event id of its message once the room has it.
export type PendingDeploy<View> = StoredPush<View> & { messageEventId: string | null };

type Row = Omit<StoredPush<unknown>, "hosts" | "view" | "messageRef" | "deployHosts"> & { hosts: string; view: string; messageRef: string | null; deployHosts: string };

const COLUMNS = `id, route, delivery, room, branch, sha, kind, hosts, view, superseded_by AS supersededBy, requested_by AS requestedBy,
  deploy_hosts AS deployHosts, deploy_as AS deployAs, deploy_started_at AS deployStartedAt,
  revision, posted_revision AS postedRevision, message_ref AS messageRef, received_at AS receivedAt`;

// Reads and writes pushes.
export function createPushStore<View>(db: Database.Database) {
  const seen = db.prepare<[string, string], { id: number }>("SELECT id FROM pushes WHERE route = ? AND delivery = ?");
  const insert = db.prepare(`INSERT INTO pushes (route, delivery, room, branch, sha, kind, hosts, view, received_at, deploy_hosts, deploy_as)
    VALUES (@route, @delivery, @room, @branch, @sha, @kind, @hosts, @view, @receivedAt, @deployHosts, @deployAs)`);
  const supersede = db.prepare(`UPDATE pushes SET superseded_by = ?, revision = revision + 1
    WHERE route = ? AND branch = ? AND id < ? AND kind = 'proposal' AND superseded_by IS NULL`);
  const byId = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM pushes WHERE id = ?`);
  const pending = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM pushes WHERE posted_revision < revision ORDER BY id`);
  const posted = db.prepare("UPDATE pushes SET posted_revision = ?, message_ref = ? WHERE id = ?");
  const sent = db.prepare("UPDATE pushes SET message_ref = ? WHERE id = ? AND message_ref = ?");
  // A message is named by its event id, or still by its outbox row when magi stopped before noting the event id.
  const byMessage = db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM pushes WHERE message_ref = ?
    OR message_ref = (SELECT '{"outboxId":' || id || '}' FROM outbox WHERE event_id = ?) ORDER BY id DESC LIMIT 1`);
  const claim = db.prepare("UPDATE pushes SET requested_by = ?, revision = revision + 1 WHERE id = ? AND requested_by IS NULL AND superseded_by IS NULL");
  // The message's event id: the stored one, or the outbox row's once sent.
  const pendingDeploys = db.prepare<[], Row & { messageEventId: string | null }>(`SELECT ${COLUMNS},
    CASE WHEN message_ref LIKE '"%' THEN json_extract(message_ref, '$')
      ELSE (SELECT event_id FROM outbox WHERE outbox.id = json_extract(pushes.message_ref, '$.outboxId')) END AS messageEventId
    FROM pushes WHERE deploy_hosts != '' AND deploy_started_at IS NULL ORDER BY id`);
  const startDeploy = db.prepare("UPDATE pushes SET deploy_started_at = ? WHERE id = ? AND deploy_started_at IS NULL AND deploy_hosts != ''");
  const release = db.prepare("UPDATE pushes SET requested_by = NULL, revision = revision + 1 WHERE id = ? AND requested_by = ?");

  const toPush = (row: Row): StoredPush<View> => ({
    ...row, hosts: row.hosts === "" ? [] : row.hosts.split(","), view: JSON.parse(row.view) as View,
    deployHosts: row.deployHosts === "" ? [] : row.deployHosts.split(","),
    messageRef: row.messageRef === null ? null : (JSON.parse(row.messageRef) as PushMessageRef),
  });
  const get = (id: number) => {
    const row = byId.get(id);
    return row ? toPush(row) : undefined;
  };

  return {
    // Stores a delivery and supersedes the branch's older proposals, in one transaction; undefined for a delivery seen before.
    record(push: NewPush<View>): { id: number; superseded: number } | undefined {
      return db.transaction(() => {
        if (seen.get(push.route, push.delivery)) return undefined;
        const id = Number(insert.run({
          ...push, hosts: push.hosts.join(","), view: JSON.stringify(push.view), deployHosts: (push.deployHosts ?? []).join(","), deployAs: push.deployAs ?? null,
        }).lastInsertRowid);
        return { id, superseded: supersede.run(push.sha, push.route, push.branch, id).changes };
      }).immediate();
    },
    get,
    // The push whose message has this event id.
    findByMessage: (eventId: string) => {
      const row = byMessage.get(JSON.stringify(eventId), eventId);
      return row ? toPush(row) : undefined;
    },
    // Pushes whose latest message the room does not have yet, oldest first.
    pending: () => pending.all().map(toPush),
    // Hands a push's latest message to send (which stores it in the outbox) and records it, in one transaction.
    handOff(id: number, send: (push: StoredPush<View>) => PushMessageRef): boolean {
      return db.transaction(() => {
        const push = get(id);
        if (!push || push.postedRevision >= push.revision) return false;
        posted.run(push.revision, JSON.stringify(send(push)), id);
        return true;
      }).immediate();
    },
    // Replaces a queued message's outbox reference by its event id once sent.
    noteSent(id: number, outboxId: number, eventId: string): void {
      sent.run(JSON.stringify(eventId), id, JSON.stringify({ outboxId }));
    },
    // Claims a proposal for one deploy request; false when it was claimed already or superseded.
    claimRequest: (id: number, requester: string): boolean => claim.run(requester, id).changes === 1,
    // Deploy-mode pushes whose deploy has not started yet, oldest first.
    pendingDeploys: (): PendingDeploy<View>[] => pendingDeploys.all().map((row) => ({ ...toPush(row), messageEventId: row.messageEventId })),
    // Claims a push's deploy for starting; false when it was started already (so it starts once).
    claimDeploy: (id: number, now: number): boolean => startDeploy.run(now, id).changes === 1,
    // Gives a claim back (the request was refused), so someone else may react.
    releaseRequest: (id: number, requester: string): boolean => release.run(id, requester).changes === 1,
  };
}

// The store's type.
export type PushStore<View> = ReturnType<typeof createPushStore<View>>;
