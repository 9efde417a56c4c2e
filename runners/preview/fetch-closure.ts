// Makes a host's current system available in magi's store, so nix can diff closures: nothing to do when
// magi built it (the local methods do), else `nix copy --from ssh-ng://…` over the pinned host key.
import { rm } from "node:fs/promises";
import { buildNixSshOpts } from "../deploy/nix-ssh-opts.ts";
import { writeKnownHosts } from "../deploy/prepare-invocation.ts";
import type { HostEntry } from "../inventory.ts";
import { runTool } from "./run-nix.ts";

const TIMEOUT_MS = 10 * 60_000;

// The store URL nix copies from; the port and key travel in NIX_SSHOPTS.
export function buildCopyFromArgv(host: { user: string; address: string }, path: string): string[] {
  return ["nix", "copy", "--from", `ssh-ng://${host.user}@${host.address}`, path];
}

// Undefined once path is in the local store; otherwise why it could not be fetched.
export async function fetchClosure(host: HostEntry, path: string, signal?: AbortSignal): Promise<string | undefined> {
  const cancel = signal ? { signal } : {};
  const local = await runTool(["nix", "path-info", path], { timeoutMs: 60_000, ...cancel });
  if (local.ok) return undefined;
  const target = host.ssh;
  if (!target) return `${host.name}'s current system is not in magi's store and ${host.name} has no ssh settings to copy it from`;
  const pinned = await writeKnownHosts(target);
  if (typeof pinned === "string") return pinned;
  try {
    const opts = buildNixSshOpts(target, pinned.file);
    if (!opts.ok) return opts.problem;
    const copied = await runTool(buildCopyFromArgv(target, path), { timeoutMs: TIMEOUT_MS, env: { NIX_SSHOPTS: opts.value }, ...cancel });
    return copied.ok ? undefined : `cannot copy ${host.name}'s current system to magi: ${copied.problem}${copied.tail.length ? `: ${copied.tail.at(-1)}` : ""}`;
  } finally {
    await rm(pinned.dir, { recursive: true, force: true });
  }
}
