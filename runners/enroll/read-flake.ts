// Reads what enrollment needs from one commit of the flake, without checking it out: .sops.yaml, the tracked files, a file's text.
import { runGit } from "../flake/run-git.ts";
import { SOPS_CONFIG } from "./edit-sops-config.ts";

// The text of path at commit sha, or undefined when it isn't there.
export async function showFile(dir: string, sha: string, path: string): Promise<string | undefined> {
  const shown = await runGit(dir, ["show", `${sha}:${path}`]);
  return shown.ok ? shown.stdout : undefined;
}

// Every tracked file at sha (or in the worktree when sha is undefined), as repository-relative paths.
export async function listTrackedFiles(dir: string, sha?: string): Promise<string[] | string> {
  const listed = await runGit(dir, sha ? ["ls-tree", "-r", "-z", "--name-only", sha] : ["ls-files", "-z"]);
  if (!listed.ok) return listed.problem;
  return listed.stdout.split("\0").filter(Boolean);
}

// .sops.yaml at sha, or why enrollment can't use it.
export async function readSopsConfig(dir: string, sha: string): Promise<string | { problem: string }> {
  return (await showFile(dir, sha, SOPS_CONFIG)) ?? { problem: `the flake has no ${SOPS_CONFIG} at its top (at ${sha.slice(0, 12)})` };
}
