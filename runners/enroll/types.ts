// What enrollment works with: the key store port it declares (storage/ implements it) and the plan an approval is bound to.

// A host key magi pinned after enrolling it; later SSH connections of the host use it when config pins none.
export interface StoredHostKey {
  host: string;
  keyLine: string;
  fingerprint: string;
  pinnedAt: number;
  pinnedBy: string;
}

// Reads and writes pinned host keys.
export interface HostKeyStore {
  get(host: string): StoredHostKey | undefined;
  list(): StoredHostKey[];
  // Pins (or re-pins) a host's key.
  pin(key: StoredHostKey): void;
}

// Where a host's SSH key pin comes from, as !hosts shows it: config (wins) or magi's own database (set by !enroll).
export interface HostPin {
  host: string;
  source: "config" | "magi";
  fingerprint: string;
  // For magi's pins: who enrolled the key, and when.
  pinnedBy?: string;
  pinnedAt?: number;
}

// What an enrollment will do, shown in the prompt and bound to the approval.
export interface EnrollPlan {
  host: string;
  keyLine: string;
  fingerprint: string;
  recipient: string;
  // The files sops will re-encrypt (their first matching creation rule is one of the host's).
  files: string[];
  // With --replace: what is replaced (the recipient in .sops.yaml, the fingerprint magi had pinned).
  previous?: { recipient?: string; fingerprint?: string };
  // The key was pasted and the host presents exactly it: nobody needs to compare fingerprints.
  pasted: boolean;
}
