// !enroll: turn a host's SSH key into an age recipient in the team's .sops.yaml, re-encrypt its secrets, commit, push and
// pin the key; the approval is bound to that exact key.
import { LEVELS } from "../domain/levels.ts";
import { findHost } from "./core/host-arg.ts";
import { enrollArgs, type EnrollArgs } from "./core/enroll-args.ts";
import { describeJob } from "./core/job-view.ts";
import { describeLock } from "./core/lock-view.ts";
import { defineCommand, fail, ok, text, type ApprovalNeed, type ContextOf, type Output } from "./core/types.ts";
import type { EnrollPlan } from "../runners/enroll/types.ts";
import type { JobIO, JobOutcome } from "../runners/jobs/types.ts";

// What the admin must check before approving: the key the host shows on its own console.
export const COMPARE_HINT = "Compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host's console, then react ✅";

// The prompt's words: host, fingerprint, recipient, the exact files, and what to compare.
export function describeEnrollWork(plan: EnrollPlan, deploy?: { verifyPaths: readonly string[] }): string {
  const files = plan.files.length > 0 ? `re-encrypts ${plan.files.join(", ")}` : "re-encrypts no file yet (none matches its rules)";
  const old = plan.previous ? `; replaces ${plan.previous.fingerprint ?? "an unpinned key"}${plan.previous.recipient ? ` (${plan.previous.recipient})` : ""}, whose recipient is removed` : "";
  const check = plan.pasted ? "The host presents exactly the pasted key" : COMPARE_HINT;
  const then = deploy ? `; then deploys ${plan.host} at the new commit${deploy.verifyPaths.length > 0 ? ` and checks ${deploy.verifyPaths.join(", ")} there` : ""}` : "";
  return `enroll ${plan.host}: key ${plan.fingerprint}, age recipient ${plan.recipient}${old}; ${files}${then}. ${check}`;
}

// Plans the request, or says why not (unknown host, bad key, mismatch, pins, sops, rules); a no-op comes back as text.
async function plan(ctx: ContextOf<"enroll" | "inventory">, args: EnrollArgs): Promise<EnrollPlan | { problem: string } | { noop: string }> {
  if (ctx.enroll.unavailable) return { problem: ctx.enroll.unavailable };
  const host = findHost(ctx.inventory, args.host);
  if (typeof host === "string") return { problem: host };
  const planned = await ctx.enroll.plan(host.name, { replace: args.replace, ...(args.pasted !== undefined ? { pasted: args.pasted } : {}) });
  if (!planned.ok) return { problem: planned.problem };
  return "noop" in planned ? { noop: planned.noop } : planned.plan;
}

// After the enrollment: deploy the host at its commit through the normal deploy path, then check the configured secret
// files on the host; the summary says what was proven.
async function deployEnrolled(ctx: ContextOf<"deploys" | "enroll" | "locks">, host: string, sha: string, enrolled: string, io: JobIO): Promise<JobOutcome> {
  if (!ctx.deploys.configured) return { ok: false, summary: `${enrolled} Not deployed: deploys are not configured.` };
  // A lock taken while the enrollment ran still stops the deploy, as it would stop !deploy.
  const lock = ctx.locks.find(host);
  if (lock) return { ok: false, summary: `${enrolled} Not deployed: ${describeLock(lock, ctx.now())}.` };
  io.phase("deploying");
  const deployed = await ctx.deploys.deploy(host, sha, "switch", io);
  if (!deployed.ok) return { ...deployed, summary: `${enrolled} Deploying ${sha.slice(0, 12)} to ${host} failed: ${deployed.summary}` };
  const paths = ctx.enroll.verifyPaths;
  if (paths.length === 0) return { ok: true, summary: `${enrolled} Deployed ${sha.slice(0, 12)} to ${host}; no enroll.verify_paths are configured, so whether ${host} reads its secrets was not checked.` };
  io.phase("checking the secrets on the host");
  const verified = await ctx.enroll.verify(host, io);
  if (!verified.ok) return { ok: false, summary: `${enrolled} Deployed ${sha.slice(0, 12)} to ${host}, but ${verified.problem}: it may not read its secrets.` };
  return { ok: true, summary: `${enrolled} Deployed ${sha.slice(0, 12)} to ${host}, and it reads its secrets: ${verified.checked.join(", ")} ${verified.checked.length === 1 ? "exists and is" : "exist and are"} non-empty there.` };
}

// Enrolls one host's key as one job whose progress is the reply.
export const enrollCommand = defineCommand({
  name: "enroll",
  aliases: [],
  summary: "add a host's SSH key to the sops recipients: re-encrypt its secrets, commit, push, pin the key (approval by another admin)",
  usage: "enroll <host> [ssh-ed25519 AAAA…] [--replace] [--deploy]",
  minLevel: LEVELS.admin,
  uses: ["approved", "binding", "deploys", "enroll", "inventory", "jobs", "locks"],
  args: enrollArgs,
  approval: async (ctx, args): Promise<ApprovalNeed | string | null> => {
    const planned = await plan(ctx, args);
    if ("problem" in planned) return planned.problem;
    if ("noop" in planned) return null;
    const deploy = args.deploy || ctx.enroll.deployAfter ? { verifyPaths: ctx.enroll.verifyPaths } : undefined;
    const lock = deploy ? ctx.locks.find(planned.host) : undefined;
    if (lock) return `refusing to enroll and deploy: ${describeLock(lock, ctx.now())}. !unlock ${planned.host} first, or enroll without --deploy.`;
    return { work: describeEnrollWork(planned, deploy), hosts: [planned.host], binding: { keyLine: planned.keyLine, fingerprint: planned.fingerprint, recipient: planned.recipient } };
  },
  run: async (ctx, args): Promise<Output> => {
    let keyLine = ctx.binding?.keyLine;
    if (!keyLine) {
      const planned = await plan(ctx, args);
      if ("problem" in planned) return fail(planned.problem);
      if ("noop" in planned) return ok(text(planned.noop));
      keyLine = planned.keyLine;
    }
    const approved = { keyLine, replace: args.replace, requester: ctx.caller.userId, approvers: ctx.approved?.by ?? [] };
    const deploy = args.deploy || ctx.enroll.deployAfter;
    const { job, waitingBehind } = ctx.jobs.submit({
      command: "enroll", host: args.host, requester: ctx.caller.userId, roomId: ctx.roomId, mutating: true,
      timeoutMs: deploy ? 24 * 3600_000 : 30 * 60_000,
      work: async (io) => {
        const enrolled = await ctx.enroll.run(args.host, approved, io);
        return deploy && enrolled.ok && enrolled.sha ? deployEnrolled(ctx, args.host, enrolled.sha, enrolled.summary, io) : enrolled;
      },
    });
    const head = `enrolling ${args.host} (${ctx.binding?.fingerprint ?? "the key it presents"})`;
    return { ok: true, blocks: [text(head), ...describeJob(job, [], ctx.now(), waitingBehind)], job: job.id };
  },
});
