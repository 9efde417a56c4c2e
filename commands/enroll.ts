// !enroll: turn a host's SSH key into an age recipient in the team's .sops.yaml, re-encrypt its secrets, commit, push and
// pin the key; the approval is bound to that exact key.
import { LEVELS } from "../domain/levels.ts";
import { findHost } from "./host-arg.ts";
import { enrollArgs, type EnrollArgs } from "./enroll-args.ts";
import { describeJob } from "./job-view.ts";
import { defineCommand, fail, ok, text, type ApprovalNeed, type CommandContext, type Output } from "./types.ts";
import type { EnrollPlan } from "../runners/enroll/types.ts";

// What the admin must check before approving: the key the host shows on its own console.
export const COMPARE_HINT = "Compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host's console, then react ✅";

// The prompt's words: host, fingerprint, recipient, the exact files, and what to compare.
export function describeEnrollWork(plan: EnrollPlan): string {
  const files = plan.files.length > 0 ? `re-encrypts ${plan.files.join(", ")}` : "re-encrypts no file yet (none matches its rules)";
  const old = plan.previous ? `; replaces ${plan.previous.fingerprint ?? "an unpinned key"}${plan.previous.recipient ? ` (${plan.previous.recipient})` : ""}, whose recipient is removed` : "";
  const check = plan.pasted ? "The host presents exactly the pasted key" : COMPARE_HINT;
  return `enroll ${plan.host}: key ${plan.fingerprint}, age recipient ${plan.recipient}${old}; ${files}. ${check}`;
}

// Plans the request, or says why not (unknown host, bad key, mismatch, pins, sops, rules); a no-op comes back as text.
async function plan(ctx: CommandContext, args: EnrollArgs): Promise<EnrollPlan | { problem: string } | { noop: string }> {
  if (ctx.enroll.unavailable) return { problem: ctx.enroll.unavailable };
  const host = findHost(ctx.inventory, args.host);
  if (typeof host === "string") return { problem: host };
  const planned = await ctx.enroll.plan(host.name, { replace: args.replace, ...(args.pasted !== undefined ? { pasted: args.pasted } : {}) });
  if (!planned.ok) return { problem: planned.problem };
  return "noop" in planned ? { noop: planned.noop } : planned.plan;
}

// Enrolls one host's key as one job whose progress is the reply.
export const enrollCommand = defineCommand({
  name: "enroll",
  aliases: [],
  summary: "add a host's SSH key to the sops recipients: re-encrypt its secrets, commit, push, pin the key (approval by another admin)",
  usage: "enroll <host> [ssh-ed25519 AAAA…] [--replace]",
  minLevel: LEVELS.admin,
  args: enrollArgs,
  approval: async (ctx, args): Promise<ApprovalNeed | string | null> => {
    const planned = await plan(ctx, args);
    if ("problem" in planned) return planned.problem;
    if ("noop" in planned) return null;
    return { work: describeEnrollWork(planned), hosts: [planned.host], binding: { keyLine: planned.keyLine, fingerprint: planned.fingerprint, recipient: planned.recipient } };
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
    const { job, waitingBehind } = ctx.jobs.submit({
      command: "enroll", host: args.host, requester: ctx.caller.userId, roomId: ctx.roomId, mutating: true,
      timeoutMs: 30 * 60_000, work: (io) => ctx.enroll.run(args.host, approved, io),
    });
    const head = `enrolling ${args.host} (${ctx.binding?.fingerprint ?? "the key it presents"})`;
    return { ok: true, blocks: [text(head), ...describeJob(job, [], ctx.now(), waitingBehind)], job: job.id };
  },
});
