import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareWorktree } from "../../../../runners/flake/prepare-worktree.ts";

const env = { GIT_AUTHOR_NAME: "Dan", GIT_AUTHOR_EMAIL: "dan@example.org", GIT_COMMITTER_NAME: "Dan", GIT_COMMITTER_EMAIL: "dan@example.org" };

describe("flake worktrees", () => {
  let umask: number;
  beforeEach(() => void (umask = process.umask(0o022)));
  afterEach(() => void process.umask(umask));

  it("checks the commit out into a directory only magi's user can enter (0700), under umask 022", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-wt-"));
    const flake = join(dir, "flake");
    await execa("git", ["init", "-q", "-b", "main", flake]);
    await execa("sh", ["-c", "echo '{ outputs = _: { }; }' > flake.nix && git add flake.nix && git commit -q -m initial"], { cwd: flake, env });
    const sha = (await execa("git", ["rev-parse", "HEAD"], { cwd: flake })).stdout.trim();
    const made = await prepareWorktree(flake, sha, { parentDir: dir });
    if (!made.ok) throw new Error(made.problem);
    expect((statSync(made.worktree.dir).mode & 0o777).toString(8)).toBe("700");
    expect(statSync(join(made.worktree.dir, "flake.nix")).isFile()).toBe(true);
    await made.worktree.remove();
  });
});
