import { connectTarget, type ConnectOptions, type ConnectOutcome, type SshTarget } from "./connect.ts";
import type { SshConnection } from "./connection.ts";
import type { FailureReason } from "./result.ts";

// Pool tuning; idleMs is how long an unused connection stays open.
export type SshPoolOptions = {
  idleMs?: number;
  // OpenSSH's MaxSessions defaults to 10 channels per connection; stay under it.
  maxSessionsPerConnection?: number;
  connect?: ConnectOptions;
  // Told once per failed handshake (callers sharing it are not counted again); for metrics.
  onConnectFailed?: (reason: FailureReason) => void;
};

// A borrowed connection; release exactly once when the command is done.
export type SshLease = { connection: SshConnection; release: () => void };

// What acquire gives: a lease, or the connect failure to report.
export type AcquireOutcome = { ok: true; lease: SshLease } | Extract<ConnectOutcome, { ok: false }>;

// Shares one connection per target across a burst of commands.
export type SshPool = {
  acquire: (target: SshTarget) => Promise<AcquireOutcome>;
  closeAll: () => Promise<void>;
  countOpen: () => number;
};

type Entry = {
  active: number;
  waiters: (() => void)[];
  connection?: SshConnection;
  pending?: Promise<ConnectOutcome>;
  idleTimer?: NodeJS.Timeout;
};

// Identifies a target by everything that affects the connection, so an edited pin reconnects.
function keyOf(t: SshTarget): string {
  return JSON.stringify([t.name, t.address, t.port, t.user, t.identityFile, t.hostKey.trim()]);
}

// Creates a pool; connections open lazily and close after idleMs without users.
export function createSshPool(options: SshPoolOptions = {}): SshPool {
  const idleMs = options.idleMs ?? 30_000;
  const maxSessions = options.maxSessionsPerConnection ?? 8;
  const entries = new Map<string, Entry>();

  const closeEntry = (key: string, entry: Entry) => {
    clearTimeout(entry.idleTimer);
    entry.connection?.close();
    entry.connection = undefined;
    if (entries.get(key) === entry) entries.delete(key);
  };

  const release = (key: string, entry: Entry) => {
    entry.active -= 1;
    const next = entry.waiters.shift();
    if (next) return next();
    if (entry.active > 0) return;
    // unref: an idle connection must not keep the bot (or a test run) alive.
    entry.idleTimer = setTimeout(() => closeEntry(key, entry), idleMs);
    entry.idleTimer.unref();
  };

  // Records a fresh connection on its entry and forgets it as soon as it breaks.
  const adopt = (entry: Entry, outcome: ConnectOutcome): ConnectOutcome => {
    entry.pending = undefined;
    if (!outcome.ok) {
      options.onConnectFailed?.(outcome.reason);
      return outcome;
    }
    const fresh = outcome.connection;
    entry.connection = fresh;
    // Drop a broken connection at once so the next command reconnects instead of failing.
    fresh.onBroken(() => {
      if (entry.connection === fresh) entry.connection = undefined;
      fresh.close();
    });
    return outcome;
  };

  const ensureConnected = (entry: Entry, target: SshTarget): Promise<ConnectOutcome> => {
    const current = entry.connection;
    if (current && !current.isBroken()) return Promise.resolve({ ok: true, connection: current });
    // connectTarget reports failures as values; the catch only keeps a bug there from wedging the entry.
    const failed = (err: unknown): ConnectOutcome => ({ ok: false, reason: "connect", message: `cannot connect to ${target.name}: ${String(err)}` });
    // Concurrent callers share one handshake instead of racing to open several.
    entry.pending ??= connectTarget(target, options.connect).catch(failed).then((o) => adopt(entry, o));
    return entry.pending;
  };

  const acquire = async (target: SshTarget): Promise<AcquireOutcome> => {
    const key = keyOf(target);
    let entry = entries.get(key);
    if (!entry) {
      entry = { active: 0, waiters: [] };
      entries.set(key, entry);
    }
    clearTimeout(entry.idleTimer);
    if (entry.active >= maxSessions) {
      const slot = entry;
      await new Promise<void>((resolve) => slot.waiters.push(resolve));
    }
    entry.active += 1;
    const outcome = await ensureConnected(entry, target);
    let released = false;
    const done = (e: Entry) => () => {
      if (released) return;
      released = true;
      release(key, e);
    };
    if (!outcome.ok) {
      done(entry)();
      return outcome;
    }
    return { ok: true, lease: { connection: outcome.connection, release: done(entry) } };
  };

  const closeAll = async () => {
    const all = [...entries];
    entries.clear();
    for (const [key, entry] of all) closeEntry(key, entry);
    // A handshake still in flight would otherwise leave a connection nobody closes.
    await Promise.all(all.map(([, e]) => e.pending?.then((o) => o.ok && o.connection.close())));
  };

  const countOpen = () => [...entries.values()].filter((e) => e.connection && !e.connection.isBroken()).length;

  return { acquire, closeAll, countOpen };
}

let defaultPool: SshPool | undefined;

// Makes pool the process-wide one (the bot's, which reports connect failures); set it before any command runs.
export function setDefaultPool(pool: SshPool): void {
  defaultPool = pool;
}

// Returns the process-wide pool runCommand uses when none is passed.
export function getDefaultPool(): SshPool {
  defaultPool ??= createSshPool();
  return defaultPool;
}
