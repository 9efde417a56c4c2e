// SSH options for tools that run their own ssh (nixos-rebuild --target-host): the same port, key and
// pinned host key magi's own SSH runner uses, so the deploy never trusts an unpinned host.
import type { SshTarget } from "../ssh/index.ts";

// The known_hosts line pinning target's key, in OpenSSH's [host]:port form for other ports.
export function formatKnownHostsLine(target: SshTarget): string | undefined {
  const [type, blob] = target.hostKey.trim().split(/\s+/);
  if (!type || !blob) return undefined;
  const host = target.port === 22 ? target.address : `[${target.address}]:${target.port}`;
  return `${host} ${type} ${blob}\n`;
}

// NIX_SSHOPTS for target; nixos-rebuild splits it on whitespace, so paths with spaces are refused.
export function buildNixSshOpts(target: SshTarget, knownHostsFile?: string): { ok: true; value: string } | { ok: false; problem: string } {
  // BatchMode: a bot has nobody to answer a passphrase or host-key prompt.
  const opts = ["-o", "BatchMode=yes"];
  if (target.port !== 22) opts.push("-p", String(target.port));
  if (target.identityFile) opts.push("-i", target.identityFile);
  if (knownHostsFile) opts.push("-o", `UserKnownHostsFile=${knownHostsFile}`, "-o", "StrictHostKeyChecking=yes");
  const bad = opts.find((o) => o === "" || /[\s'"\\]/.test(o));
  if (bad !== undefined) return { ok: false, problem: `cannot pass ${JSON.stringify(bad)} to nixos-rebuild's ssh (NIX_SSHOPTS is split on whitespace)` };
  return { ok: true, value: opts.join(" ") };
}
