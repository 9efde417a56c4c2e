import { readFile } from "node:fs/promises";
import { NodeSSH } from "node-ssh";
import { wrapConnection, type RawClient, type SshConnection } from "./connection.ts";
import type { FailureReason } from "./result.ts";
import type { SshTarget } from "./target.ts";
import {
  createHostVerifier,
  describeMismatch,
  fingerprintOf,
  listHostKeyAlgorithms,
  parsePublicKeyLine,
  type PinnedKey,
} from "./host-key.ts";

export type { SshTarget } from "./target.ts";

// Timing knobs for one connection; all in milliseconds.
export type ConnectOptions = {
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
};

// Defaults: a dead peer is noticed after about interval × (countMax + 1) = 20 s.
export const DEFAULT_CONNECT_OPTIONS: Required<ConnectOptions> = {
  readyTimeoutMs: 10_000,
  keepaliveIntervalMs: 5_000,
  keepaliveCountMax: 3,
};

// What connecting produced: a connection, or a failure described for humans.
export type ConnectOutcome =
  | { ok: true; connection: SshConnection }
  | {
      ok: false;
      reason: FailureReason;
      message: string;
      hostKeyMismatch?: { expected: string; got: string };
    };

// Parses the pin before any network I/O so an unpinned or garbled target never connects.
function parsePin(target: SshTarget): PinnedKey | string {
  if (!target.hostKey.trim()) return `refusing to connect to ${target.name}: no pinned host key`;
  try {
    return parsePublicKeyLine(target.hostKey);
  } catch (err) {
    return `refusing to connect to ${target.name}: bad pinned host key (${(err as Error).message})`;
  }
}

// Opens an authenticated connection to target, pinned to its host key.
export async function connectTarget(target: SshTarget, options: ConnectOptions = {}): Promise<ConnectOutcome> {
  const pin = parsePin(target);
  if (typeof pin === "string") return { ok: false, reason: "unpinned", message: pin };
  const opts = { ...DEFAULT_CONNECT_OPTIONS, ...options };
  const where = `${target.name} (${target.user}@${target.address}:${target.port})`;
  let privateKey: string;
  try {
    privateKey = await readFile(target.identityFile, "utf8");
  } catch (err) {
    return { ok: false, reason: "connect", message: `cannot read identity file for ${target.name}: ${(err as Error).message}` };
  }
  const verifier = createHostVerifier(pin);
  const ssh = new NodeSSH();
  const pending = ssh.connect({
    host: target.address,
    port: target.port,
    username: target.user,
    privateKey,
    hostVerifier: verifier.verify,
    algorithms: { serverHostKey: listHostKeyAlgorithms(pin) },
    readyTimeout: opts.readyTimeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs,
    keepaliveCountMax: opts.keepaliveCountMax,
  });
  // node-ssh creates the client synchronously inside connect(); catch its errors from the start.
  // No client means connect() rejected on its argument checks before touching the network.
  const client = ssh.connection as RawClient | null;
  const connection = client ? wrapConnection(target, ssh, client) : undefined;
  try {
    await pending;
    if (!connection) throw new Error("node-ssh made no client");
  } catch (err) {
    connection?.close();
    const seen = verifier.presented();
    if (seen && !seen.equals(pin.blob)) {
      const mismatch = { expected: pin.fingerprint, got: fingerprintOf(seen) };
      return { ok: false, reason: "host-key-mismatch", message: describeMismatch(target.name, mismatch.expected, mismatch.got), hostKeyMismatch: mismatch };
    }
    return { ok: false, reason: "connect", message: `cannot connect to ${where}: ${(err as Error).message}` };
  }
  if (connection.isBroken()) return { ok: false, reason: "connect", message: `connection to ${where} lost: ${connection.brokenReason()}` };
  // Interactive request/reply traffic: without this, small packets can wait on Nagle plus the peer's delayed ACK.
  (client as RawClient & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return { ok: true, connection };
}
