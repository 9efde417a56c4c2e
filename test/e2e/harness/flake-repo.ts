// A real git repository standing in for the team's flake: a bare origin and a checkout magi fetches from.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

const gitEnv = { GIT_AUTHOR_NAME: "Dan", GIT_AUTHOR_EMAIL: "dan@example.org", GIT_COMMITTER_NAME: "Dan", GIT_COMMITTER_EMAIL: "dan@example.org" };

// Runs git in cwd and returns its trimmed stdout.
export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await execa("git", args, { cwd, env: gitEnv })).stdout.trim();
}

// A flake repo: seed (where the test commits), origin (bare), checkout (magi's flake_dir); push() publishes a new commit on a branch (main by default).
export async function createFlakeRepo(dir: string) {
  const seed = join(dir, "seed");
  const origin = join(dir, "origin.git");
  const checkout = join(dir, "flake");
  mkdirSync(seed, { recursive: true });
  await git(seed, "init", "-q", "-b", "main");
  const push = async (file: string, text: string, subject: string, branch = "main") => {
    writeFileSync(join(seed, file), text);
    await git(seed, "add", file);
    await git(seed, "commit", "-q", "-m", subject);
    await git(seed, "push", "-q", origin, branch);
    return git(seed, "rev-parse", "HEAD");
  };
  writeFileSync(join(seed, "flake.nix"), "{ outputs = _: { }; }\n");
  await git(seed, "add", "flake.nix");
  await git(seed, "commit", "-q", "-m", "initial flake");
  await git(dir, "init", "-q", "--bare", origin);
  await git(seed, "push", "-q", origin, "main");
  await git(dir, "clone", "-q", origin, checkout);
  return { seed, origin, checkout, push };
}
