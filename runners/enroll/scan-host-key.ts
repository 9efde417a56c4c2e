// Asks a host which ed25519 key it presents, as `ssh-keyscan -t ed25519` does: no login, nothing trusted yet.
import { execa } from "execa";
import { ED25519_KEY_TYPE } from "../../domain/age-recipient.ts";
import { parsePublicKeyLine, type PinnedKey } from "../ssh/host-key.ts";

// Where to ask, and how long to wait.
export interface ScanTarget {
  name: string;
  address: string;
  port: number;
  timeoutSeconds?: number;
}

// Fetches the host's ed25519 key, or says why it could not.
export async function scanHostKey(target: ScanTarget): Promise<{ ok: true; key: PinnedKey } | { ok: false; problem: string }> {
  const where = `${target.name} (${target.address}:${target.port})`;
  // The address comes from config, but a leading "-" would still read as an option.
  if (target.address.startsWith("-")) return { ok: false, problem: `${where}: the address must not start with "-"` };
  const timeout = target.timeoutSeconds ?? 10;
  const result = await execa("ssh-keyscan", ["-T", String(timeout), "-t", ED25519_KEY_TYPE, "-p", String(target.port), target.address], {
    reject: false, stdin: "ignore", timeout: (timeout + 5) * 1000, env: { LC_ALL: "C" },
  });
  if ((result as { code?: string }).code === "ENOENT") return { ok: false, problem: "ssh-keyscan is not installed (it comes with the OpenSSH client)" };
  const lines = String(result.stdout ?? "").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const line of lines) {
    const [, type, b64] = line.split(/\s+/);
    if (type !== ED25519_KEY_TYPE || !b64) continue;
    try {
      return { ok: true, key: parsePublicKeyLine(`${type} ${b64}`) };
    } catch {
      // A garbled line is no key; try the next one.
    }
  }
  return { ok: false, problem: `${where} presented no ed25519 host key (is sshd running there, and does it have /etc/ssh/ssh_host_ed25519_key?)` };
}
