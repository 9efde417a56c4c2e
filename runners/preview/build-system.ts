// Builds a host's NixOS system from one commit on magi's machine, reporting progress from nix's
// internal-json log, and hands back the toplevel store path it built.
import { prepareWorktree } from "../flake/index.ts";
import { createBuildLogReader, describeBuildProgress } from "./parse-build-log.ts";
import { runTool } from "./run-nix.ts";

// What to build and how long it may take.
export interface BuildRequest {
  flakeDir: string;
  sha: string;
  attr: string;
  timeoutMs: number;
  signal?: AbortSignal;
  worktreeParent?: string;
  // Called with "214/530 derivations" as the build advances (every change; callers throttle).
  onProgress?: (progress: string) => void;
  // Called with each line of the build a person would read (not nix's JSON), for the job's log.
  onLine?: (line: string) => void;
}

// The built path, or why the build failed with its last lines.
export type BuildResult = { ok: true; path: string } | { ok: false; problem: string; tail: string[] };

// The fixed nix build command for a host's toplevel from a flake (a local checkout, or the pinned URL on the host).
export function buildToplevelArgv(flake: string, attr: string): string[] {
  return ["nix", "build", `${flake}#nixosConfigurations.${attr}.config.system.build.toplevel`, "--no-link", "--print-out-paths", "--log-format", "internal-json"];
}

// Feeds nix's stderr lines to the log reader, passing progress on when its words change.
export function createBuildFeed(req: Pick<BuildRequest, "onProgress" | "onLine">) {
  const reader = createBuildLogReader(20, req.onLine);
  let shown = "";
  return {
    push: (line: string) => {
      reader.push(line);
      const now = describeBuildProgress(reader.progress());
      if (now !== shown) req.onProgress?.((shown = now));
    },
    tail: () => reader.progress().tail,
  };
}

// The last store path nix printed on stdout (--print-out-paths prints one per output).
export function pickOutPath(stdout: string): string | undefined {
  return stdout.split("\n").map((l) => l.trim()).filter((l) => /^\/nix\/store\/[0-9a-z]{32}-[^\s/]+$/.test(l)).at(-1);
}

// Checks out sha, builds the toplevel, removes the checkout; never throws.
export async function buildSystem(req: BuildRequest): Promise<BuildResult> {
  const checkout = await prepareWorktree(req.flakeDir, req.sha, { ...(req.worktreeParent ? { parentDir: req.worktreeParent } : {}), ...(req.signal ? { signal: req.signal } : {}) });
  if (!checkout.ok) return { ok: false, problem: checkout.problem, tail: [] };
  const feed = createBuildFeed(req);
  try {
    const result = await runTool(buildToplevelArgv(checkout.worktree.dir, req.attr), { timeoutMs: req.timeoutMs, ...(req.signal ? { signal: req.signal } : {}), onStderr: feed.push });
    const tail = feed.tail();
    if (!result.ok) return { ok: false, problem: result.problem, tail };
    const path = pickOutPath(result.stdout);
    return path ? { ok: true, path } : { ok: false, problem: "nix build printed no store path", tail };
  } finally {
    await checkout.worktree.remove();
  }
}
