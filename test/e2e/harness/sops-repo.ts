// A team flake with sops-nix secrets for enrollment tests: an admin age key, a .sops.yaml with rules, and files
// encrypted by real sops; and the test's own ed25519 → age identity conversion, independent of magi's.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { bech32 } from "@scure/base";
import { execa } from "execa";
import { git } from "./flake-repo.ts";

// The sops binary: MAGI_SOPS, else where .ci/run's go install puts it, else PATH.
export const SOPS = process.env.MAGI_SOPS ?? [join(homedir(), ".cache/magi/go-bin/sops")].find(existsSync) ?? "sops";

// Generates an age key pair with real age-keygen; returns the identity file and its recipient.
export async function createAgeKey(path: string): Promise<{ path: string; recipient: string }> {
  await execa("age-keygen", ["-o", path]);
  const recipient = /# public key: (age1\S+)/.exec(readFileSync(path, "utf8"))![1]!;
  return { path, recipient };
}

// Writes plaintext files into the seed checkout, encrypts each in place with sops per .sops.yaml, commits and pushes.
export async function pushSecrets(seed: string, origin: string, files: Record<string, string>, subject: string): Promise<string> {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(seed, file)), { recursive: true });
    writeFileSync(join(seed, file), text);
    if (file !== ".sops.yaml") await execa(SOPS, ["--encrypt", "--in-place", file], { cwd: seed });
  }
  await git(seed, "add", "--", ...Object.keys(files));
  await git(seed, "commit", "-q", "-m", subject);
  await git(seed, "push", "-q", origin, "main");
  return git(seed, "rev-parse", "HEAD");
}

// Reads the 32-byte seed of an unencrypted OpenSSH ed25519 private key file (openssh-key-v1).
export function readEd25519Seed(path: string): Buffer {
  const b64 = readFileSync(path, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const data = Buffer.from(b64, "base64");
  let at = "openssh-key-v1\0".length;
  const next = () => {
    const len = data.readUInt32BE(at);
    const value = data.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return value;
  };
  next(), next(), next(); // cipher "none", kdf "none", kdf options
  at += 4; // number of keys (1)
  next(); // public key blob
  const priv = next();
  // Two check ints, then key type, public key, and the 64-byte private key (seed || public).
  let p = 8;
  const field = () => {
    const len = priv.readUInt32BE(p);
    const value = priv.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    return value;
  };
  field(), field();
  return Buffer.from(field().subarray(0, 32));
}

// The age identity sops-nix derives from an ed25519 seed: sha512(seed)[0..32], clamped, bech32 AGE-SECRET-KEY-, upper case.
export function toAgeIdentity(seed: Buffer): string {
  const scalar = createHash("sha512").update(seed).digest().subarray(0, 32);
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  return bech32.encode("AGE-SECRET-KEY-", bech32.toWords(scalar), 1023).toUpperCase();
}

// Decrypts a file with real sops as the given identity; exit code and output.
export async function decryptAs(identity: string, path: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(SOPS, ["--decrypt", path], { reject: false, stripFinalNewline: false, env: { SOPS_AGE_KEY: identity, SOPS_AGE_KEY_FILE: "/nonexistent" } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

// A .sops.yaml whose one rule encrypts secrets/vps/ to the admin only: the state before !enroll vps.
export const adminOnlySopsYaml = (admin: string) => `keys:
  - &admin ${admin}
creation_rules:
  - path_regex: secrets/vps/.*
    key_groups:
    - age:
      - *admin
`;
