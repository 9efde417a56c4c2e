// Proves on the host that its secrets are readable after a deploy: every configured path (enroll.verify_paths, e.g.
// /run/secrets/db_password) exists and is non-empty, checked over SSH with `test -s` (as root when the host uses sudo,
// since sops-nix and agenix make them readable by their owners only).
import type { HostEntry } from "../inventory.ts";
import type { JobIO } from "../jobs/types.ts";
import { runCommand } from "../ssh/index.ts";

// What the check found: every path fine, or which are missing or empty, or why it could not look.
export type VerifyOutcome = { ok: true; checked: string[] } | { ok: false; problem: string };

// Checks each path with test -s, one SSH command per path.
export async function verifySecrets(host: HostEntry, paths: readonly string[], io: Pick<JobIO, "signal" | "log">): Promise<VerifyOutcome> {
  if (!host.ssh) return { ok: false, problem: `${host.name} has no ssh settings` };
  const bad: string[] = [];
  for (const path of paths) {
    const result = await runCommand(host.ssh, ["test", "-s", path], { sudo: host.ssh.sudo, signal: io.signal, timeoutMs: 30_000 });
    if (result.exitCode === 0) {
      io.log(`${path}: present and non-empty`);
      continue;
    }
    if (result.exitCode !== 1) return { ok: false, problem: `could not check ${path} on ${host.name}: ${result.message}` };
    io.log(`${path}: missing or empty`);
    bad.push(path);
  }
  return bad.length === 0 ? { ok: true, checked: [...paths] } : { ok: false, problem: `${bad.join(", ")} ${bad.length === 1 ? "is" : "are"} missing or empty on ${host.name}` };
}
