import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";

// A host public key we trust: its algorithm name and the raw wire-format blob.
export type PinnedKey = { type: string; blob: Buffer; fingerprint: string };

// Checks a presented host key against the pin and remembers what was presented.
export type HostKeyVerifier = {
  verify: (key: Buffer) => boolean;
  presented: () => Buffer | undefined;
};

// Computes the fingerprint exactly as `ssh-keygen -lf` prints it.
export function fingerprintOf(blob: Buffer): string {
  const digest = createHash("sha256").update(blob).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

// Reads the key type embedded at the start of a blob (uint32 length + name).
function readBlobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return undefined;
  return blob.subarray(4, 4 + len).toString("latin1");
}

// Parses `type base64 [comment]` fields; null when they don't describe a key.
function parseKeyFields(type: string | undefined, b64: string | undefined): PinnedKey | null {
  if (!type || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const blob = Buffer.from(b64, "base64");
  // The embedded name must agree, or a pasted key of one type could pose as another.
  if (readBlobType(blob) !== type) return null;
  return { type, blob, fingerprint: fingerprintOf(blob) };
}

// Parses an OpenSSH public key line (`ssh-ed25519 AAAA… [comment]`).
export function parsePublicKeyLine(line: string): PinnedKey {
  const [type, b64] = line.trim().split(/\s+/);
  const key = parseKeyFields(type, b64);
  if (!key) throw new Error(`not an OpenSSH public key line: ${line.trim().slice(0, 40)}`);
  return key;
}

// Formats a pinned key back as a public key line (no comment).
export function formatPublicKeyLine(key: PinnedKey): string {
  return `${key.type} ${key.blob.toString("base64")}`;
}

// Tells whether one known_hosts host field names host:port (plain or |1| hashed).
function matchesHostField(field: string, name: string): boolean {
  for (const pattern of field.split(",")) {
    if (pattern.startsWith("|1|")) {
      const [, , salt, hash] = pattern.split("|");
      if (!salt || !hash) continue;
      const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
      if (mac === hash) return true;
    } else if (pattern === name) {
      // Wildcards and negations are not supported: a pin should name its host exactly.
      return true;
    }
  }
  return false;
}

// Finds the keys for host/port in known_hosts text, in file order.
export function findKnownHostsKeys(text: string, host: string, port = 22): PinnedKey[] {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys: PinnedKey[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    // Marker lines (@cert-authority, @revoked) are not plain pins; skip them.
    if (!line || line.startsWith("#") || line.startsWith("@")) continue;
    const [hosts, type, b64] = line.split(/\s+/);
    if (!hosts || !matchesHostField(hosts, name)) continue;
    const key = parseKeyFields(type, b64);
    if (key) keys.push(key);
  }
  return keys;
}

// Reads the first key for host/port from a known_hosts file.
export async function readKnownHostsKey(path: string, host: string, port = 22): Promise<PinnedKey> {
  const keys = findKnownHostsKeys(await readFile(path, "utf8"), host, port);
  const first = keys[0];
  if (!first) throw new Error(`no key for ${port === 22 ? host : `[${host}]:${port}`} in ${path}`);
  return first;
}

// Lists the host-key algorithms to offer so the server can only present the pinned type.
export function listHostKeyAlgorithms(key: PinnedKey): string[] {
  // RSA keys sign with SHA-2 variants; plain ssh-rsa (SHA-1) is disabled in OpenSSH 8.8+.
  if (key.type === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  return [key.type];
}

// Builds an ssh2 `hostVerifier` that accepts only the pinned blob.
export function createHostVerifier(pinned: PinnedKey): HostKeyVerifier {
  let seen: Buffer | undefined;
  return {
    verify: (key: Buffer) => {
      seen = Buffer.from(key);
      return seen.equals(pinned.blob);
    },
    presented: () => seen,
  };
}

// Describes a host key mismatch in the words an operator needs to act on.
export function describeMismatch(name: string, expected: string, got: string): string {
  return `host key of ${name} changed: expected ${expected}, got ${got}`;
}
