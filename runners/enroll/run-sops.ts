// Runs real sops as a process (argument array, the worktree as cwd, magi's admin identity) and checks its work.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

// How to run sops.
export interface SopsOptions {
  bin: string;
  identityFile: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

// The exit status sops uses when no identity it has can decrypt the data key.
const CANNOT_DECRYPT = 128;

// Re-wraps each file's data key for the recipients .sops.yaml now names (`sops updatekeys -y`), or says why not.
export async function updateKeys(dir: string, files: readonly string[], opts: SopsOptions, log: (line: string) => void): Promise<string | undefined> {
  for (const file of files) {
    const result = await execa(opts.bin, ["updatekeys", "-y", file], {
      cwd: dir, reject: false, stdin: "ignore", timeout: opts.timeoutMs ?? 120_000, all: true,
      env: { SOPS_AGE_KEY_FILE: opts.identityFile, LC_ALL: "C" },
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    for (const line of String(result.all ?? "").split("\n").filter(Boolean)) log(`sops: ${line}`);
    if ((result as { code?: string }).code === "ENOENT") return `sops is not installed (enroll.sops is ${opts.bin})`;
    if (result.isCanceled) return "cancelled";
    if (result.timedOut) return `sops updatekeys ${file} timed out`;
    if (result.exitCode === CANNOT_DECRYPT) return `sops cannot decrypt ${file} with magi's admin identity (enroll.admin_identity_file): is its age key among the file's recipients?`;
    if (result.exitCode !== 0) return `sops updatekeys ${file} failed (exit ${result.exitCode}): ${lastLine(String(result.all ?? ""))}`;
  }
  return undefined;
}

// The last non-empty line of some output.
function lastLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? "no output";
}

// Checks each file's sops metadata now lists recipient (and no longer the replaced one); the recipient's text appears in every sops format.
export async function verifyRecipients(dir: string, files: readonly string[], recipient: string, removed?: string): Promise<string | undefined> {
  for (const file of files) {
    const text = await readFile(join(dir, file), "utf8").catch(() => "");
    if (!text.includes(recipient)) return `${file} does not list ${recipient} after sops updatekeys`;
    if (removed && text.includes(removed)) return `${file} still lists the replaced recipient ${removed}`;
  }
  return undefined;
}

// Checks sops runs at all, so a missing binary is reported before anyone approves.
export async function checkSops(bin: string): Promise<string | undefined> {
  const result = await execa(bin, ["--version", "--disable-version-check"], { reject: false, stdin: "ignore", timeout: 20_000 });
  if ((result as { code?: string }).code === "ENOENT") return `sops is not installed (enroll.sops is ${bin})`;
  return result.exitCode === 0 ? undefined : `sops does not run (${bin} --version exited ${result.exitCode})`;
}
