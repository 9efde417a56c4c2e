// The preview step of !deploy and !diff: build each host's system at the resolved commit, live in a progress
// message, and turn the results into an approval bound to the sha and every built store path.
import type { DeployAction } from "../../domain/deploy.ts";
import { collectFoldedDiffs, describeHostPreview } from "../../runners/preview/describe-preview.ts";
import type { HostPreview } from "../../runners/preview/types.ts";
import { PREVIEW_BINDING, PREVIEW_FILE_BINDING, PREVIEW_FILE_NAME_BINDING } from "./approval-view.ts";
import { fail, type ApprovalNeed, type ContextOf, type Output } from "./types.ts";

// A resolved commit.
export interface Revision {
  sha: string;
  subject: string;
}

// The binding key holding the store path approved for host.
export function pathBindingKey(host: string): string {
  return `path:${host}`;
}

// The binding key listing the hosts to deploy when some already run the build ("a,b").
export const HOSTS_BINDING = "hosts";

const short = (sha: string) => sha.slice(0, 12);

// How long a preview job may run; the build inside it has the deploy timeout of its own.
const PREVIEW_JOB_TIMEOUT_MS = 24 * 3600_000;

// The preview's job outcome: a failed build fails the job, so !jobs and !log tell it apart.
function describeOutcome(p: HostPreview, signal: AbortSignal) {
  if (signal.aborted) return { ok: false, cancelled: true, summary: (signal.reason as Error | undefined)?.message ?? "cancelled" };
  if (!p.ok) return { ok: false, summary: `build failed: ${p.problem}` };
  return { ok: true, summary: p.same ? `${p.host} already runs ${p.path}` : `built ${p.path ?? "nothing (built on the host at deploy time)"}` };
}

// What building previews needs: the deploy port, the job queue, and a way to show progress.
export type PreviewContext = ContextOf<"deploys" | "jobs" | "progress">;

// Previews one host as a job that takes no lock: !jobs lists it, !cancel stops its build, !log keeps its lines.
async function previewAsJob(ctx: PreviewContext, host: string, sha: string, show: (jobId: number, progress?: string) => void): Promise<{ job: number; preview: HostPreview }> {
  let preview: HostPreview | undefined;
  const jobId = { value: 0 };
  const { job } = ctx.jobs.submit({
    command: "preview", host, requester: ctx.caller.userId, roomId: ctx.roomId, mutating: false, timeoutMs: PREVIEW_JOB_TIMEOUT_MS,
    work: async (io) => {
      preview = await ctx.deploys.preview(host, sha, { signal: io.signal, log: io.log, onProgress: (progress) => show(jobId.value, progress) });
      return describeOutcome(preview, io.signal);
    },
  });
  jobId.value = job.id;
  show(job.id);
  const ended = await ctx.jobs.waitFor(job.id);
  if (ended.state === "cancelled") return { job: job.id, preview: { ok: false, host, problem: ended.summary ?? "cancelled", tail: [], cancelled: true } };
  return { job: job.id, preview: preview ?? { ok: false, host, problem: ended.summary ?? `the preview job ended ${ended.state}`, tail: [] } };
}

// Builds every host one after another (nix runs each build's derivations in parallel), each as a job, showing progress.
// A cancelled build ends the request: the hosts after it are not built.
export async function buildPreviews(ctx: PreviewContext, hosts: string[], rev: Revision): Promise<HostPreview[]> {
  const status = new Map(hosts.map((h) => [h, "waiting"]));
  const show = () => ctx.progress?.([{ kind: "text", text: `building ${short(rev.sha)} "${rev.subject}" to preview it:` }, { kind: "list", items: hosts.map((h) => `${h}: ${status.get(h)}`) }]);
  const previews: HostPreview[] = [];
  for (const host of hosts) {
    const running = (id: number, progress?: string) => `building…${progress ? ` ${progress}` : ""} (job ${id}; ${ctx.prefix}cancel ${id} stops it)`;
    const { job, preview } = await previewAsJob(ctx, host, rev.sha, (id, progress) => (status.set(host, running(id, progress)), show()));
    const end = !preview.ok ? (preview.cancelled ? preview.problem : "build failed") : preview.same ? "already runs it" : "built";
    status.set(host, `${end} (${ctx.prefix}log ${job})`);
    show();
    previews.push(preview);
    if (!preview.ok && preview.cancelled) break;
  }
  return previews;
}

// The previews as one text: a host's lines each.
export function describePreviews(previews: HostPreview[], prefix: string): string {
  return previews.flatMap((p) => describeHostPreview(p, prefix)).join("\n");
}

// A long preview's whole diff as a file, and the line that points the summary to it; undefined when every diff fits.
export function foldPreviews(previews: HostPreview[], sha: string): { name: string; text: string; note: string } | undefined {
  const text = collectFoldedDiffs(previews);
  if (text === undefined) return undefined;
  const name = `preview-${short(sha)}.txt`;
  return { name, text, note: `the whole diff (${text.split("\n").filter((l) => l && !l.startsWith("# ")).length} packages) is attached as ${name}` };
}

// The previews as the prompt or !diff shows them, with the folded diff's pointer last.
export function describeFolded(previews: HostPreview[], prefix: string, fold: ReturnType<typeof foldPreviews>): string {
  return describePreviews(previews, prefix) + (fold ? `\n${fold.note}` : "");
}

// The approval a previewed deploy asks for, or the answer that ends it: a failed build, or nothing to deploy.
export async function previewDeploy(ctx: PreviewContext, action: DeployAction, hosts: string[], rev: Revision): Promise<ApprovalNeed | Output> {
  const previews = await buildPreviews(ctx, hosts, rev);
  const what = `${short(rev.sha)} "${rev.subject}"`;
  const cancelled = previews.find((p) => !p.ok && p.cancelled);
  if (cancelled && !cancelled.ok) return fail(`previewing ${what} for ${cancelled.host} was ${cancelled.problem}; nothing was asked or deployed.`);
  const failed = previews.filter((p) => !p.ok);
  if (failed.length > 0) return fail(`building ${what} failed for ${failed.map((p) => p.host).join(", ")}; nothing was asked or deployed.`, { kind: "code", text: describePreviews(failed, ctx.prefix) });
  const pending = previews.filter((p): p is Extract<HostPreview, { ok: true }> => p.ok && !p.same);
  if (pending.length === 0) return fail(describePreviews(previews, ctx.prefix));
  const deploying = pending.map((p) => p.host);
  const paths = Object.fromEntries(pending.filter((p) => p.path).map((p) => [pathBindingKey(p.host), p.path!]));
  const fold = foldPreviews(previews, rev.sha);
  const file: Record<string, string> = fold ? { [PREVIEW_FILE_BINDING]: fold.text, [PREVIEW_FILE_NAME_BINDING]: fold.name } : {};
  return {
    work: `deploy (${action}) ${deploying.join(", ")} at ${what}`,
    hosts: deploying,
    binding: { sha: rev.sha, subject: rev.subject, [HOSTS_BINDING]: deploying.join(","), [PREVIEW_BINDING]: describeFolded(previews, ctx.prefix, fold), ...paths, ...file },
  };
}
