// Checks out one exact commit of the flake in a throwaway detached worktree, so a deploy never
// builds the moving branch or whatever the main checkout happens to hold.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGit, serializeFor } from "./run-git.ts";

// A checked-out commit; remove() deletes it and its registration, and never throws.
export interface Worktree {
  dir: string;
  sha: string;
  remove(): Promise<void>;
}

// Where worktrees go; parentDir defaults to the OS temp directory.
export interface WorktreeOptions {
  parentDir?: string;
  signal?: AbortSignal;
}

// Creates a detached worktree of sha under a fresh directory (one per deploy: the same sha may
// go to two hosts at once), and checks HEAD really is sha.
export async function prepareWorktree(flakeDir: string, sha: string, opts: WorktreeOptions = {}): Promise<{ ok: true; worktree: Worktree } | { ok: false; problem: string }> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return { ok: false, problem: `not a full commit sha: ${JSON.stringify(sha.slice(0, 50))}` };
  const gitOpts = opts.signal ? { signal: opts.signal } : {};
  let dir: string;
  try {
    // mkdtemp creates the directory 0700 whatever the umask, so the checkout is private to magi's user.
    dir = await mkdtemp(join(opts.parentDir ?? tmpdir(), `magi-flake-${sha.slice(0, 12)}-`));
  } catch (error) {
    return { ok: false, problem: `cannot create a worktree directory: ${(error as Error).message}` };
  }
  const remove = async () => {
    await serializeFor(flakeDir, async () => {
      await runGit(flakeDir, ["worktree", "remove", "--force", dir]);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      // Forgets worktrees whose directories vanished, ours included if remove failed half way.
      await runGit(flakeDir, ["worktree", "prune"]);
    });
  };
  const added = await serializeFor(flakeDir, async () => {
    await runGit(flakeDir, ["worktree", "prune"], gitOpts);
    // Relative worktree links (git 2.48+) need a repository extension Nix's libgit2 cannot read yet.
    return runGit(flakeDir, ["-c", "worktree.useRelativePaths=false", "worktree", "add", "--detach", dir, sha], gitOpts);
  });
  if (!added.ok) {
    await remove();
    return { ok: false, problem: `cannot check out ${sha.slice(0, 12)}: ${added.problem}` };
  }
  const head = await runGit(dir, ["rev-parse", "HEAD"], gitOpts);
  if (head.stdout.trim() !== sha) {
    await remove();
    return { ok: false, problem: `worktree for ${sha.slice(0, 12)} is at ${head.stdout.trim() || "nothing"}: ${head.problem}` };
  }
  return { ok: true, worktree: { dir, sha, remove } };
}
