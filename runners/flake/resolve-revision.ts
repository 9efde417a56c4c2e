// Turns what a user typed (nothing, a branch, a tag, a commit prefix) into one full commit of the
// team's flake, fetched just now, so an approval names exactly what will be deployed.
import { checkConfigName, checkRef, looksLikeSha } from "./check-ref.ts";
import { runGit, serializeFor } from "./run-git.ts";

// Where the flake comes from; defaults are origin and main.
export interface ResolveOptions {
  remote?: string;
  branch?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

// A resolved revision, or why there is none.
export type Resolution =
  | { ok: true; sha: string; subject: string; resolvedFrom: string }
  | { ok: false; problem: string };

// The ref names tried in order: remote branch first, then tag, then a commit prefix.
export function listCandidates(ref: string | undefined, remote: string, branch: string): string[] {
  if (ref === undefined) return [`refs/remotes/${remote}/${branch}`];
  const candidates = [`refs/remotes/${remote}/${ref}`, `refs/tags/${ref}`];
  if (ref.startsWith(`${remote}/`)) candidates.push(`refs/remotes/${ref}`);
  // Local branches are never tried: they are whatever the checkout last had, not what was pushed.
  if (looksLikeSha(ref)) candidates.push(ref);
  return candidates;
}

// Fetches the remote, then resolves ref (default <remote>/<branch>) to a full sha and its subject.
export async function resolveRevision(flakeDir: string, ref: string | undefined, opts: ResolveOptions = {}): Promise<Resolution> {
  const remote = opts.remote ?? "origin";
  const branch = opts.branch ?? "main";
  const refused = checkConfigName("remote", remote) ?? checkConfigName("branch", branch) ?? (ref === undefined ? undefined : checkRef(ref));
  if (refused) return { ok: false, problem: refused };
  const gitOpts = { timeoutMs: opts.timeoutMs ?? 120_000, ...(opts.signal ? { signal: opts.signal } : {}) };
  // --tags also fetches the branches; --force lets a moved tag follow the remote; --prune drops deleted branches.
  const fetched = await serializeFor(flakeDir, () => runGit(flakeDir, ["fetch", "--prune", "--tags", "--force", "--", remote], gitOpts));
  if (!fetched.ok) return { ok: false, problem: `cannot fetch ${remote} in ${flakeDir}: ${fetched.problem}` };
  for (const candidate of listCandidates(ref, remote, branch)) {
    const parsed = await runGit(flakeDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${candidate}^{commit}`], gitOpts);
    const sha = parsed.stdout.trim();
    if (!parsed.ok || !/^[0-9a-f]{40}$/.test(sha)) continue;
    const log = await runGit(flakeDir, ["log", "-1", "--format=%s", sha], gitOpts);
    return { ok: true, sha, subject: log.ok ? log.stdout.trim() : "", resolvedFrom: candidate };
  }
  if (ref === undefined) return { ok: false, problem: `branch ${branch} not found on ${remote}` };
  const kinds = looksLikeSha(ref) ? "branch, tag or commit" : "branch or tag";
  return { ok: false, problem: `no ${kinds} ${JSON.stringify(ref)} on ${remote}` };
}
