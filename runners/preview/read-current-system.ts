// Reads the full store path a host runs now, `readlink /run/current-system` over magi's SSH connection.
import type { HostEntry } from "../inventory.ts";
import { runCommand, type SshPool } from "../ssh/index.ts";

// The path, or undefined when the host cannot say (no ssh, no link, down).
export async function readCurrentSystem(host: HostEntry, opts: { pool?: SshPool; timeoutMs?: number } = {}): Promise<string | undefined> {
  if (!host.ssh) return undefined;
  const result = await runCommand(host.ssh, ["readlink", "/run/current-system"], { timeoutMs: opts.timeoutMs ?? 15_000, ...(opts.pool ? { pool: opts.pool } : {}) });
  const path = result.stdout.trim();
  return !result.failed && /^\/nix\/store\/[^\s/]+$/.test(path) ? path : undefined;
}
