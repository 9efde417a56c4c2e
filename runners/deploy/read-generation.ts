// Reads which system generation a host runs: the store path /run/current-system points to.
import type { HostEntry } from "../inventory.ts";
import { runCommand, type SshPool } from "../ssh/index.ts";

// The basename of a store path ("/nix/store/abc…-nixos-system-misato-25.05…" → "abc…-nixos-system-misato-25.05…").
export function toGenerationName(storePath: string): string | undefined {
  const trimmed = storePath.trim().replace(/\/+$/, "");
  const name = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return name && !/\s/.test(name) ? name : undefined;
}

// `readlink /run/current-system` over SSH; undefined when the host cannot say (no ssh, no link, down).
// It ignores cancellation on purpose: after a cancelled deploy, what the host now runs matters most.
export async function readCurrentGeneration(host: HostEntry, opts: { pool?: SshPool; timeoutMs?: number } = {}): Promise<string | undefined> {
  if (!host.ssh) return undefined;
  const result = await runCommand(host.ssh, ["readlink", "/run/current-system"], {
    timeoutMs: opts.timeoutMs ?? 15_000,
    ...(opts.pool ? { pool: opts.pool } : {}),
  });
  if (result.failed) return undefined;
  return toGenerationName(result.stdout);
}
