// Runs real age as a process (argument arrays; the plaintext only ever in memory, on pipes) and reads age headers.
import { createHash } from "node:crypto";
import { execa } from "execa";

// How to run age.
export interface AgeOptions {
  bin: string;
  signal?: AbortSignal;
}

// The first line of an armored age file.
const ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----";

// The outcome every age run shares: missing binary, cancelled, or the last line it said.
function describeAgeFailure(result: { exitCode?: number | undefined; isCanceled?: boolean; stderr?: unknown }, bin: string): string {
  if ((result as { code?: string }).code === "ENOENT") return `age is not installed (enroll.age is ${bin})`;
  if (result.isCanceled) return "cancelled";
  const said = String(result.stderr ?? "").split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? "no output";
  return `exit ${result.exitCode}: ${said}`;
}

// Decrypts file (path relative to cwd) with an identity file; the plaintext, or why not.
export async function decryptAge(cwd: string, file: string, identityFile: string, opts: AgeOptions): Promise<Buffer | string> {
  const result = await execa(opts.bin, ["-d", "-i", identityFile, "--", file], {
    cwd, reject: false, stdin: "ignore", encoding: "buffer", timeout: 60_000, ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  if (result.exitCode === 0) return Buffer.from(result.stdout);
  const why = describeAgeFailure({ ...result, stderr: Buffer.from(result.stderr ?? []).toString() }, opts.bin);
  return why.startsWith("exit") ? `age cannot decrypt ${file} with magi's admin identity (enroll.admin_identity_file): is its key among the file's recipients? (${why})` : why;
}

// Encrypts plaintext to every recipient into file (armored when the original was), or says why not.
export async function encryptAge(cwd: string, file: string, plaintext: Buffer, recipients: readonly string[], armor: boolean, opts: AgeOptions): Promise<string | undefined> {
  const args = ["-e", ...(armor ? ["-a"] : []), ...recipients.flatMap((r) => ["-r", r]), "-o", file];
  const result = await execa(opts.bin, args, { cwd, reject: false, input: plaintext, timeout: 60_000, ...(opts.signal ? { cancelSignal: opts.signal } : {}) });
  return result.exitCode === 0 ? undefined : `age could not encrypt ${file}: ${describeAgeFailure(result, opts.bin)}`;
}

// Whether a file's bytes are armored.
export function isArmored(data: Buffer): boolean {
  return data.subarray(0, ARMOR.length).toString("latin1") === ARMOR;
}

// The header of an age file (armored or not), up to its MAC line.
function readHeader(data: Buffer): string {
  let bytes = data;
  if (isArmored(data)) {
    const body = data.toString("latin1").split("\n").filter((l) => l && !l.startsWith("-----")).join("");
    bytes = Buffer.from(body, "base64");
  }
  const text = bytes.toString("latin1");
  const end = text.indexOf("\n---");
  return end === -1 ? text : text.slice(0, end);
}

// The tag age writes in an ssh-ed25519 stanza: the first 4 bytes of SHA-256 over the key's wire blob, base64 without padding.
export function sshStanzaTag(blob: Buffer): string {
  return createHash("sha256").update(blob).digest().subarray(0, 4).toString("base64").replace(/=+$/, "");
}

// Whether an age file is encrypted to the ssh-ed25519 key with this wire blob (its header has the key's stanza).
export function isEncryptedToSshKey(data: Buffer, blob: Buffer): boolean {
  const tag = sshStanzaTag(blob);
  return readHeader(data).split("\n").some((line) => line.startsWith(`-> ssh-ed25519 ${tag} `));
}

// Checks age runs at all, so a missing binary is reported before anyone approves.
export async function checkAge(bin: string): Promise<string | undefined> {
  const result = await execa(bin, ["--version"], { reject: false, stdin: "ignore", timeout: 20_000 });
  if ((result as { code?: string }).code === "ENOENT") return `age is not installed (enroll.age is ${bin})`;
  return result.exitCode === 0 ? undefined : `age does not run (${bin} --version exited ${result.exitCode})`;
}
