// The schema, as an ordered list: entry N brings a database from user_version N to N+1. Never edit a shipped entry.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    processed_at INTEGER NOT NULL
  );
  CREATE INDEX processed_events_at ON processed_events (processed_at);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    room_id TEXT NOT NULL,
    event_id TEXT,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    level INTEGER NOT NULL,
    command TEXT,
    decision TEXT NOT NULL CHECK (decision IN ('allowed', 'denied', 'invalid', 'stale')),
    outcome TEXT
  );
  `,
  `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    host TEXT NOT NULL,
    requester TEXT NOT NULL,
    room_id TEXT NOT NULL,
    mutating INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted')),
    phase TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    exit_code INTEGER,
    summary TEXT,
    message_event_id TEXT
  );
  CREATE INDEX jobs_state ON jobs (state);
  CREATE TABLE job_logs (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
  );
  `,
  `
  CREATE TABLE approvals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    command_event_id TEXT NOT NULL UNIQUE,
    audit_id INTEGER,
    requester TEXT NOT NULL,
    text TEXT NOT NULL,
    work TEXT NOT NULL,
    policy TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    prompt_event_id TEXT UNIQUE
  );
  CREATE INDEX approvals_pending ON approvals (state, expires_at);
  CREATE TABLE approval_votes (
    reaction_event_id TEXT PRIMARY KEY,
    approval_id INTEGER NOT NULL REFERENCES approvals (id),
    voter TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('approve', 'reject')),
    cast_at INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0
  );
  `,
  `
  CREATE TABLE host_locks (
    host TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    reason TEXT NOT NULL,
    locked_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE approvals ADD COLUMN binding TEXT NOT NULL DEFAULT '{}';
  `,
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    content TEXT NOT NULL,
    txn_id TEXT NOT NULL UNIQUE,
    edits_row INTEGER REFERENCES outbox (id),
    edits_event_id TEXT,
    priority INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'superseded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    event_id TEXT,
    error TEXT
  );
  CREATE INDEX outbox_pending ON outbox (state, room_id, id);
  `,
  `
  ALTER TABLE jobs ADD COLUMN audit_id INTEGER;
  ALTER TABLE jobs ADD COLUMN approval_id INTEGER;
  CREATE INDEX jobs_audit ON jobs (audit_id);
  CREATE INDEX jobs_approval ON jobs (approval_id);
  ALTER TABLE approvals ADD COLUMN acted_at INTEGER;
  UPDATE approvals SET acted_at = decided_at WHERE state = 'approved';
  `,
  `
  ALTER TABLE jobs ADD COLUMN proc_boot_id TEXT;
  ALTER TABLE jobs ADD COLUMN proc_pid INTEGER;
  ALTER TABLE jobs ADD COLUMN proc_pgid INTEGER;
  ALTER TABLE jobs ADD COLUMN proc_start_ticks INTEGER;
  ALTER TABLE jobs ADD COLUMN proc_name TEXT;
  ALTER TABLE jobs ADD COLUMN proc_host TEXT;
  `,
  `
  CREATE TABLE alert_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    route TEXT NOT NULL,
    group_key TEXT NOT NULL,
    room TEXT NOT NULL,
    state TEXT NOT NULL,
    resolved INTEGER NOT NULL,
    view TEXT NOT NULL,
    revision INTEGER NOT NULL,
    posted_revision INTEGER NOT NULL DEFAULT 0,
    message_ref TEXT,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX alert_groups_key ON alert_groups (route, group_key, id);
  CREATE INDEX alert_groups_pending ON alert_groups (id) WHERE posted_revision < revision;
  CREATE INDEX alert_groups_open ON alert_groups (id) WHERE resolved = 0;
  `,
  `
  ALTER TABLE jobs ADD COLUMN launch_deferred INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN launched_at INTEGER;
  `,
  `
  CREATE TABLE alert_silences (
    silence_id TEXT PRIMARY KEY,
    route TEXT NOT NULL,
    group_id INTEGER REFERENCES alert_groups (id),
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL,
    ends_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expired_at INTEGER
  );
  CREATE INDEX alert_silences_group ON alert_silences (group_id) WHERE group_id IS NOT NULL;
  CREATE INDEX alert_groups_message ON alert_groups (message_ref);
  `,
  `
  CREATE TABLE schedule_tracks (
    schedule TEXT NOT NULL,
    host TEXT NOT NULL,
    key TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    streak INTEGER NOT NULL,
    streak_since INTEGER,
    problem_since INTEGER,
    detail TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (schedule, host, key)
  );
  `,
  `
  CREATE TABLE checks (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    paused_at INTEGER,
    paused_by TEXT,
    resumed_at INTEGER,
    last_ping_at INTEGER,
    started_at INTEGER,
    started_rid TEXT,
    last_success_at INTEGER,
    last_fail_at INTEGER,
    last_exit INTEGER,
    last_duration_ms INTEGER,
    announced TEXT NOT NULL DEFAULT 'none'
  );
  CREATE TABLE check_pings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    check_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    exit_status INTEGER,
    rid TEXT,
    duration_ms INTEGER,
    method TEXT NOT NULL,
    remote TEXT,
    body BLOB NOT NULL,
    body_bytes INTEGER NOT NULL
  );
  CREATE INDEX check_pings_check ON check_pings (check_name, id);
  `,
  `
  ALTER TABLE jobs ADD COLUMN proc_status_dir TEXT;
  `,
  `
  CREATE TABLE host_keys (
    host TEXT PRIMARY KEY,
    key_line TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    pinned_at INTEGER NOT NULL,
    pinned_by TEXT NOT NULL
  );
  `,
  `
  -- A new edit supersedes the waiting edits of the same message; without these, each enqueue read every pending row
  -- (0.57 ms at 400 pending in a burst of alerts, 0.07 ms with them).
  CREATE INDEX outbox_edits_row ON outbox (edits_row) WHERE edits_row IS NOT NULL;
  CREATE INDEX outbox_edits_event ON outbox (edits_event_id) WHERE edits_event_id IS NOT NULL;
  `,
  `
  -- Forgejo pushes: one row per accepted delivery (its id refuses replays across restarts), and the message posted for it.
  CREATE TABLE pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    route TEXT NOT NULL,
    delivery TEXT NOT NULL,
    room TEXT NOT NULL,
    branch TEXT NOT NULL,
    sha TEXT NOT NULL,
    kind TEXT NOT NULL,
    hosts TEXT NOT NULL,
    view TEXT NOT NULL,
    superseded_by TEXT,
    requested_by TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    posted_revision INTEGER NOT NULL DEFAULT 0,
    message_ref TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (route, delivery)
  );
  CREATE INDEX pushes_branch ON pushes (route, branch, id);
  CREATE INDEX pushes_message ON pushes (message_ref);
  `,
  // Where each audited action came from: a room (chat, reactions) or the terminal (magi do).
  `
  ALTER TABLE audit ADD COLUMN source TEXT NOT NULL DEFAULT 'room';
  `,
  // Silences mark every alert group they cover (not only the one replied to), and keep their matchers, which magi's
  // own silences of schedule alerts are enforced by.
  `
  ALTER TABLE alert_silences ADD COLUMN matchers TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE silence_marks (
    silence_id TEXT NOT NULL REFERENCES alert_silences (silence_id),
    group_id INTEGER NOT NULL REFERENCES alert_groups (id),
    PRIMARY KEY (silence_id, group_id)
  );
  CREATE INDEX silence_marks_group ON silence_marks (group_id);
  INSERT INTO silence_marks (silence_id, group_id) SELECT silence_id, group_id FROM alert_silences WHERE group_id IS NOT NULL;
  CREATE INDEX alert_silences_pending ON alert_silences (ends_at) WHERE expired_at IS NULL;
  `,
  `
  -- Forgejo routes in mode deploy: the hosts a push deploys at once (no approval needed), as whom, and when that deploy
  -- was started (set once, so a restart or a second sweep never starts it again).
  ALTER TABLE pushes ADD COLUMN deploy_hosts TEXT NOT NULL DEFAULT '';
  ALTER TABLE pushes ADD COLUMN deploy_as TEXT;
  ALTER TABLE pushes ADD COLUMN deploy_started_at INTEGER;
  `,
  // Alertmanager notifications as accepted, until they are applied to their groups: the intake answers once a
  // notification is here, and applies a burst of them to their groups afterwards, once per group.
  `
  CREATE TABLE alert_intake (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    route TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );
  `,
];
