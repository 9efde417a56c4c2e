// Lists a host's system generations. `nixos-rebuild list-generations` reads the host's own profile,
// so it runs on the host over SSH (it has no --target-host).
import type { HostEntry } from "../inventory.ts";
import { runCommand, type SshPool } from "../ssh/index.ts";
import { parseGenerations, type Generation } from "./parse-generations.ts";

// Options for listGenerations.
export interface ListGenerationsOptions {
  signal?: AbortSignal;
  pool?: SshPool;
  timeoutMs?: number;
}

// Runs `nixos-rebuild list-generations --json` on host and parses it; newest first.
export async function listGenerations(host: HostEntry, opts: ListGenerationsOptions = {}): Promise<{ ok: true; generations: Generation[] } | { ok: false; problem: string }> {
  if (!host.ssh) return { ok: false, problem: `${host.name} has no ssh settings` };
  const result = await runCommand(host.ssh, ["nixos-rebuild", "list-generations", "--json"], {
    timeoutMs: opts.timeoutMs ?? 30_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.pool ? { pool: opts.pool } : {}),
  });
  if (result.failed) {
    const why = result.stderr.trim().split("\n").at(-1);
    return { ok: false, problem: `list-generations on ${host.name}: ${result.message}${why ? `: ${why}` : ""}` };
  }
  const parsed = parseGenerations(result.stdout);
  return parsed.ok ? parsed : { ok: false, problem: `${host.name}: ${parsed.problem}` };
}
