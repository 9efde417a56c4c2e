// Sticky host locks as commands see them: someone holds a host, with a reason, until they (or an admin) let go.

// One held lock; since is when it was taken (ms since the epoch).
export interface Lock {
  host: string;
  holder: string;
  reason: string;
  since: number;
}

// Taking, releasing and reading locks; storage decides nothing about who may do what beyond holder-or-admin.
export interface LockPort {
  // Takes the lock unless someone (anyone, the holder included) already holds it.
  acquire(host: string, holder: string, reason: string, now: number): { ok: true; lock: Lock } | { ok: false; held: Lock };
  // Releases the lock if by holds it or isAdmin; held is undefined when the host was not locked.
  release(host: string, by: string, isAdmin: boolean): { ok: true; lock: Lock } | { ok: false; held: Lock | undefined };
  // Every held lock, by host name.
  list(): Lock[];
  find(host: string): Lock | undefined;
}
