// One try at the repository side of an enrollment: a fresh worktree at the branch's head, changed by the enrollment
// method (sops-nix or agenix) and checked, one commit, one push. Nothing is pushed unless all of it worked.
import { prepareWorktree, resolveRevision } from "../flake/index.ts";
import { runGit } from "../flake/run-git.ts";
import type { JobIO } from "../jobs/types.ts";
import type { EnrollMethod, EnrollTarget } from "./method.ts";
import type { EnrollSettings } from "./settings.ts";

// What the approved work is, and who asked and approved.
export interface EnrollWork {
  target: EnrollTarget;
  requester: string;
  approvers: string[];
}

// How one try ended: pushed (or nothing to push), a push that lost a race (try again on the new head), or failed.
export type TryOutcome =
  | { kind: "pushed"; sha: string; files: string[] }
  | { kind: "unchanged"; sha: string; files: string[] }
  | { kind: "rejected"; problem: string }
  | { kind: "failed"; problem: string };

// A push the remote refused because the branch moved meanwhile.
function isRaceLost(text: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|\[remote rejected\].*(cannot lock ref|stale)/.test(text);
}

// The commit message: the subject names host, recipient and fingerprint; trailers name the people.
export function formatCommitMessage(work: EnrollWork): string[] {
  const subject = `enroll ${work.target.host.name}: ${work.target.recipient} (${work.target.fingerprint})`;
  const trailers = [`Requested-by: ${work.requester}`, ...work.approvers.map((a) => `Approved-by: ${a}`)].join("\n");
  return ["-m", subject, "-m", trailers];
}

// Runs one try; the worktree is always removed afterwards.
export async function tryEnrollCommit(settings: EnrollSettings, method: EnrollMethod, work: EnrollWork, io: JobIO): Promise<TryOutcome> {
  io.phase("fetching the flake");
  const rev = await resolveRevision(settings.flakeDir, undefined, { remote: settings.remote, branch: settings.branch, signal: io.signal });
  if (!rev.ok) return { kind: "failed", problem: rev.problem };
  const prepared = await prepareWorktree(settings.flakeDir, rev.sha, { signal: io.signal });
  if (!prepared.ok) return { kind: "failed", problem: prepared.problem };
  const { dir, remove } = prepared.worktree;
  try {
    io.log(`at ${rev.sha.slice(0, 12)}`);
    const applied = await method.apply(dir, work.target, io);
    if (typeof applied === "string") return { kind: "failed", problem: applied };
    const files = applied.files;
    const status = await runGit(dir, ["status", "--porcelain"]);
    if (!status.ok) return { kind: "failed", problem: status.problem };
    if (status.stdout.trim() === "") return { kind: "unchanged", sha: rev.sha, files };
    io.phase("committing");
    const added = await runGit(dir, ["add", "--", ...applied.paths]);
    if (!added.ok) return { kind: "failed", problem: added.problem };
    const identity = ["-c", `user.name=${settings.author.name}`, "-c", `user.email=${settings.author.email}`, "-c", "commit.gpgsign=false"];
    const committed = await runGit(dir, [...identity, "commit", "-q", ...formatCommitMessage(work)]);
    if (!committed.ok) return { kind: "failed", problem: committed.problem };
    const head = (await runGit(dir, ["rev-parse", "HEAD"])).stdout.trim();
    io.phase("pushing");
    const pushed = await runGit(dir, ["push", "--porcelain", "--", settings.remote, `HEAD:refs/heads/${settings.branch}`], { signal: io.signal });
    if (pushed.ok) return { kind: "pushed", sha: head, files };
    const said = `${pushed.stdout}\n${pushed.stderr}`;
    return isRaceLost(said) ? { kind: "rejected", problem: pushed.problem } : { kind: "failed", problem: pushed.problem };
  } finally {
    await remove();
  }
}
