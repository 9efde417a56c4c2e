// The preview step of !deploy and !diff: build each host's system at the resolved commit, live in a progress
// message, and turn the results into an approval bound to the sha and every built store path.
import type { DeployAction } from "../domain/deploy.ts";
import { describeHostPreview } from "../runners/preview/describe-preview.ts";
import type { HostPreview } from "../runners/preview/types.ts";
import { PREVIEW_BINDING } from "./approval-view.ts";
import { fail, type ApprovalNeed, type CommandContext, type Output } from "./types.ts";

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

// Builds every host one after another (nix runs each build's derivations in parallel), showing progress.
export async function buildPreviews(ctx: CommandContext, hosts: string[], rev: Revision): Promise<HostPreview[]> {
  const status = new Map(hosts.map((h) => [h, "waiting"]));
  const show = () => ctx.progress?.([{ kind: "text", text: `building ${short(rev.sha)} "${rev.subject}" to preview it:` }, { kind: "list", items: hosts.map((h) => `${h}: ${status.get(h)}`) }]);
  const previews: HostPreview[] = [];
  for (const host of hosts) {
    status.set(host, "building…");
    show();
    const preview = await ctx.deploys.preview(host, rev.sha, (progress) => (status.set(host, `building… ${progress}`), show()));
    status.set(host, !preview.ok ? "build failed" : preview.same ? "already runs it" : "built");
    show();
    previews.push(preview);
  }
  return previews;
}

// The previews as one text: a host's lines each.
export function describePreviews(previews: HostPreview[], prefix: string): string {
  return previews.flatMap((p) => describeHostPreview(p, prefix)).join("\n");
}

// The approval a previewed deploy asks for, or the answer that ends it: a failed build, or nothing to deploy.
export async function previewDeploy(ctx: CommandContext, action: DeployAction, hosts: string[], rev: Revision): Promise<ApprovalNeed | Output> {
  const previews = await buildPreviews(ctx, hosts, rev);
  const what = `${short(rev.sha)} "${rev.subject}"`;
  const failed = previews.filter((p) => !p.ok);
  if (failed.length > 0) return fail(`building ${what} failed for ${failed.map((p) => p.host).join(", ")}; nothing was asked or deployed.`, { kind: "code", text: describePreviews(failed, ctx.prefix) });
  const pending = previews.filter((p): p is Extract<HostPreview, { ok: true }> => p.ok && !p.same);
  if (pending.length === 0) return fail(describePreviews(previews, ctx.prefix));
  const deploying = pending.map((p) => p.host);
  const paths = Object.fromEntries(pending.filter((p) => p.path).map((p) => [pathBindingKey(p.host), p.path!]));
  return {
    work: `deploy (${action}) ${deploying.join(", ")} at ${what}`,
    hosts: deploying,
    binding: { sha: rev.sha, subject: rev.subject, [HOSTS_BINDING]: deploying.join(","), [PREVIEW_BINDING]: describePreviews(previews, ctx.prefix), ...paths },
  };
}
