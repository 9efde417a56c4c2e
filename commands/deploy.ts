// !deploy: rebuild hosts from one exact commit of the team's flake, each host as its own job; approval bound to that commit.
import { selectHosts } from "../runners/inventory.ts";
import { deployArgs, type DeployArgs } from "./core/deploy-args.ts";
import { HOSTS_BINDING, pathBindingKey, previewDeploy } from "./core/deploy-preview.ts";
import { describeJob } from "./core/job-view.ts";
import { describeLock } from "./core/lock-view.ts";
import { defineCommand, fail, type ApprovalNeed, type ContextOf, type Output } from "./core/types.ts";
import { LEVELS } from "../domain/levels.ts";

// Hosts to deploy, or why not: unknown names, locks.
function pickHosts(ctx: ContextOf<"deploys" | "inventory" | "locks">, args: DeployArgs): string[] | string {
  if (!ctx.deploys.configured) return "deploys are not configured (the deploy section of magi's config)";
  const selected = selectHosts(ctx.inventory, args.selector);
  if ("problem" in selected) return selected.problem;
  for (const host of selected.hosts) {
    if (!ctx.inventory.get(host)?.ssh) return `${host} has no ssh settings (hosts.${host}.ssh), so magi can't deploy it`;
    const lock = ctx.locks.find(host);
    if (lock && args.action !== "dry-activate") return `refusing to deploy: ${describeLock(lock, ctx.now())}. !unlock ${host} first.`;
  }
  return selected.hosts;
}

const short = (sha: string) => sha.slice(0, 12);

// Deploys the resolved commit; the reply names sha and subject, and each job reports its own result.
export const deployCommand = defineCommand({
  name: "deploy",
  aliases: [],
  summary: "rebuild hosts from the team's flake at one exact commit (approval where policy says so); --dry-run needs only level 2",
  usage: "deploy <host|@tag|a,b|all> [ref] [--dry-run|--boot|--test]",
  minLevel: LEVELS.contributor,
  uses: ["binding", "deploys", "inventory", "jobs", "locks", "policyFor", "progress"],
  levelFor: (args) => (args.action === "dry-activate" ? LEVELS.contributor : LEVELS.deployer),
  args: deployArgs,
  approval: async (ctx, args): Promise<ApprovalNeed | Output | string | null> => {
    if (args.action === "dry-activate") return null;
    const hosts = pickHosts(ctx, args);
    if (typeof hosts === "string") return hosts;
    const rev = await ctx.deploys.resolve(args.ref);
    if (!rev.ok) return rev.problem;
    // Previewed only when someone will approve: the preview is for them, and the build happens in the deploy anyway.
    if (ctx.deploys.previews && ctx.policyFor("deploy", hosts)) return previewDeploy(ctx, args.action, hosts, rev);
    return { work: `deploy (${args.action}) ${hosts.join(", ")} at ${short(rev.sha)} "${rev.subject}"`, hosts, binding: { sha: rev.sha, subject: rev.subject } };
  },
  run: async (ctx, args): Promise<Output> => {
    const picked = pickHosts(ctx, args);
    if (typeof picked === "string") return fail(picked);
    // A preview leaves out hosts that already run the build.
    const only = ctx.binding?.[HOSTS_BINDING]?.split(",");
    const hosts = only ? picked.filter((h) => only.includes(h)) : picked;
    let sha = ctx.binding?.sha;
    let subject = ctx.binding?.subject ?? "";
    if (!sha) {
      const rev = await ctx.deploys.resolve(args.ref);
      if (!rev.ok) return fail(rev.problem);
      ({ sha, subject } = rev);
    }
    const bound = sha;
    const jobs = hosts.map((host) => {
      const { job, waitingBehind } = ctx.jobs.submit({
        command: "deploy", host, requester: ctx.caller.userId, roomId: ctx.roomId, mutating: args.action !== "dry-activate",
        timeoutMs: 24 * 3600_000, deferLaunch: true, work: (io) => ctx.deploys.deploy(host, bound, args.action, io, ctx.binding?.[pathBindingKey(host)]),
      });
      return { id: job.id, blocks: describeJob(job, [], ctx.now(), waitingBehind) };
    });
    const head = `deploying ${short(bound)} "${subject}" (${args.action}) to ${hosts.join(", ")}`;
    if (jobs.length === 1) return { ok: true, blocks: [{ kind: "text", text: head }, ...jobs[0]!.blocks], job: jobs[0]!.id };
    return { ok: true, blocks: [{ kind: "text", text: `${head}: ${jobs.map((j, i) => `job ${j.id} ${hosts[i]}`).join(", ")}` }], jobs };
  },
});
