// One try at the repository side of an enrollment: a fresh worktree at the branch's head, .sops.yaml edited,
// every affected file re-encrypted with real sops and checked, one commit, one push. Nothing is pushed unless all of it worked.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { prepareWorktree, resolveRevision } from "../flake/index.ts";
import { runGit } from "../flake/run-git.ts";
import type { JobIO } from "../jobs/types.ts";
import { editSopsConfig, listSopsRules, selectRuleFiles, SOPS_CONFIG } from "./edit-sops-config.ts";
import { listTrackedFiles } from "./read-flake.ts";
import { updateKeys, verifyRecipients } from "./run-sops.ts";
import type { EnrollSettings } from "./settings.ts";
import type { EnrollPlan } from "./types.ts";

// What the approved work is, and who asked and approved.
export interface EnrollWork {
  plan: Pick<EnrollPlan, "host" | "fingerprint" | "recipient">;
  regexes: string[];
  replace: boolean;
  requester: string;
  approvers: string[];
}

// How one try ended: pushed (or nothing to push), a push that lost a race (try again on the new head), or failed.
export type TryOutcome =
  | { kind: "pushed"; sha: string; files: string[] }
  | { kind: "unchanged"; files: string[] }
  | { kind: "rejected"; problem: string }
  | { kind: "failed"; problem: string };

// A push the remote refused because the branch moved meanwhile.
function isRaceLost(text: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|\[remote rejected\].*(cannot lock ref|stale)/.test(text);
}

// The commit message: the subject names host, recipient and fingerprint; trailers name the people.
export function formatCommitMessage(work: EnrollWork): string[] {
  const subject = `enroll ${work.plan.host}: ${work.plan.recipient} (${work.plan.fingerprint})`;
  const trailers = [`Requested-by: ${work.requester}`, ...work.approvers.map((a) => `Approved-by: ${a}`)].join("\n");
  return ["-m", subject, "-m", trailers];
}

// Runs one try; the worktree is always removed afterwards.
export async function tryEnrollCommit(settings: EnrollSettings, work: EnrollWork, io: JobIO): Promise<TryOutcome> {
  io.phase("fetching the flake");
  const rev = await resolveRevision(settings.flakeDir, undefined, { remote: settings.remote, branch: settings.branch, signal: io.signal });
  if (!rev.ok) return { kind: "failed", problem: rev.problem };
  const prepared = await prepareWorktree(settings.flakeDir, rev.sha, { signal: io.signal });
  if (!prepared.ok) return { kind: "failed", problem: prepared.problem };
  const { dir, remove } = prepared.worktree;
  try {
    // Read from the checkout, byte for byte (git show's output through execa loses the last newline).
    const sopsText = await readFile(join(dir, SOPS_CONFIG), "utf8").catch(() => undefined);
    if (sopsText === undefined) return { kind: "failed", problem: `the flake has no ${SOPS_CONFIG} at its top (at ${rev.sha.slice(0, 12)})` };
    const edit = editSopsConfig(sopsText, work.plan.host, work.plan.recipient, work.regexes, work.replace);
    if (typeof edit === "string") return { kind: "failed", problem: edit };
    const rules = listSopsRules(sopsText);
    const tracked = await listTrackedFiles(dir);
    if (typeof rules === "string" || typeof tracked === "string") return { kind: "failed", problem: String(typeof rules === "string" ? rules : tracked) };
    const files = selectRuleFiles(rules, tracked, work.regexes);
    if (typeof files === "string") return { kind: "failed", problem: files };
    io.log(`${rev.sha.slice(0, 12)}: ${edit.changed ? "adding" : "keeping"} &${work.plan.host} in ${SOPS_CONFIG}; files: ${files.join(", ") || "none"}`);
    await writeFile(join(dir, SOPS_CONFIG), edit.text);
    io.phase("re-encrypting");
    const removed = work.replace && edit.previous !== work.plan.recipient ? edit.previous : undefined;
    const sopsProblem = await updateKeys(dir, files, { bin: settings.sops, identityFile: settings.identityFile, signal: io.signal }, io.log);
    if (sopsProblem) return { kind: "failed", problem: sopsProblem };
    io.phase("verifying");
    const unverified = await verifyRecipients(dir, files, work.plan.recipient, removed);
    if (unverified) return { kind: "failed", problem: unverified };
    const status = await runGit(dir, ["status", "--porcelain"]);
    if (!status.ok) return { kind: "failed", problem: status.problem };
    if (status.stdout.trim() === "") return { kind: "unchanged", files };
    io.phase("committing");
    const added = await runGit(dir, ["add", "--", SOPS_CONFIG, ...files]);
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
