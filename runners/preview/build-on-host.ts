// Builds a host's system on the host itself, for hosts that deploy with nixos-rebuild-on-host: magi has no
// checkout to build from, and the host fetches the pinned flake URL anyway. Diffs there too, where both systems are.
import { renderFlakeUrl } from "../deploy/build-deploy-argv.ts";
import { runCommand, type SshTarget } from "../ssh/index.ts";
import { buildToplevelArgv, createBuildFeed, pickOutPath, type BuildRequest, type BuildResult } from "./build-system.ts";
import type { ToolResult } from "./run-nix.ts";

// What an on-host build needs: the host, the flake URL template with {rev}, and the usual build settings.
export type HostBuildRequest = Omit<BuildRequest, "flakeDir" | "worktreeParent"> & { target: SshTarget; flakeUrl: string | undefined };

// Runs argv on the host for the preview, shaped like a local tool's result; a lost connection stops it there.
export async function runOnHost(target: SshTarget, argv: string[], opts: { timeoutMs: number; signal?: AbortSignal; sudo?: boolean; onStderr?: (line: string) => void }): Promise<ToolResult> {
  const tail: string[] = [];
  const result = await runCommand(target, argv, {
    timeoutMs: opts.timeoutMs, onDisconnect: "kill", ...(opts.sudo ? { sudo: true } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
    onLine: (line, stream) => {
      if (stream === "stdout") return;
      opts.onStderr?.(line);
      tail.push(line);
      if (tail.length > 20) tail.shift();
    },
  });
  const name = argv.slice(0, argv[0] === "nix" ? 2 : 1).join(" ");
  return { ok: !result.failed, stdout: result.stdout, tail, problem: result.failed ? `${name} on ${target.name}: ${result.message}` : "" };
}

// `nix build <flake url at sha>#…toplevel` over SSH; the store path stays in the host's store, where the deploy finds it.
export async function buildOnHost(req: HostBuildRequest): Promise<BuildResult> {
  if (!req.flakeUrl) return { ok: false, problem: `${req.target.name} has no deploy.flake_url, which nixos-rebuild-on-host needs`, tail: [] };
  const rendered = renderFlakeUrl(req.flakeUrl, req.sha);
  if (!rendered.ok) return { ok: false, problem: rendered.problem, tail: [] };
  const feed = createBuildFeed(req);
  const result = await runOnHost(req.target, buildToplevelArgv(rendered.url, req.attr), { timeoutMs: req.timeoutMs, onStderr: feed.push, ...(req.signal ? { signal: req.signal } : {}) });
  if (!result.ok) return { ok: false, problem: result.problem, tail: feed.tail() };
  const path = pickOutPath(result.stdout);
  return path ? { ok: true, path } : { ok: false, problem: `nix build on ${req.target.name} printed no store path`, tail: feed.tail() };
}
