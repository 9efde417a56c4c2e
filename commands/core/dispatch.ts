// The dispatcher: parse, find, check access once, validate arguments; then run. Never throws.
import { randomBytes } from "node:crypto";
import { checkAccess } from "./access.ts";
import { parseCommand } from "./parse.ts";
import { findCommand } from "./find-command.ts";
import { suggestNames } from "./suggest.ts";
import { fail, narrowContext, type CommandContext, type Output } from "./types.ts";
import { describeArgsProblem } from "./args.ts";
import type { ApprovalPolicy } from "./approval-policy.ts";
import { capEcho } from "./echo.ts";

// What became of a message before anything runs: a final answer, or permission to run.
export type Prepared =
  | { decision: "ignored" }
  | { decision: "invalid" | "denied"; command: string; output: Output }
  | { decision: "allowed"; command: string; checkApproval?(): Promise<ApprovalCheck>; run(with_?: RunWith): Promise<{ output: Output; errorId?: string }> };

// What the caller of run() supplies: the binding the approval check returned, and the jobs port this run submits through.
export type RunWith = Partial<Pick<CommandContext, "binding" | "jobs">>;

// Whether an allowed command must wait for approval, and bound to what; binding is what the run must use when none is needed.
export type ApprovalCheck =
  | { kind: "none"; binding?: Record<string, string> }
  | { kind: "needed"; policy: ApprovalPolicy; work: string; binding: Record<string, string> }
  | { kind: "refused"; output: Output };

// Parses, finds the command, checks access once and validates arguments; nothing has run yet.
export function prepareCommand(body: string, ctx: CommandContext, logError: (errorId: string, error: unknown) => void): Prepared {
  const parsed = parseCommand(body, ctx.prefix);
  if (parsed.kind === "none") return { decision: "ignored" };
  const spec = findCommand(ctx.commands, parsed.name);
  if (!spec) {
    const names = ctx.commands.flatMap((c) => [c.name, ...c.aliases]);
    const close = suggestNames(parsed.name, names).map((n) => `${ctx.prefix}${n}`);
    const hint = close.length > 0 ? ` — did you mean ${close.join(" or ")}?` : ` — try ${ctx.prefix}help`;
    const typed = capEcho(parsed.name);
    return { decision: "invalid", command: typed, output: fail(`unknown command ${ctx.prefix}${typed}${hint}`) };
  }
  const args = parsed.kind === "command" ? spec.args.safeParse(parsed.args) : undefined;
  // Checked before arguments are judged, so a caller below the command's level learns nothing of its usage.
  const access = checkAccess(spec, ctx.caller.level, ctx.prefix, args?.success && parsed.kind === "command" ? { args: args.data, words: parsed.args } : undefined);
  if (!access.allowed) return { decision: "denied", command: spec.name, output: fail(access.message) };
  if (parsed.kind === "error") {
    return { decision: "invalid", command: spec.name, output: fail(`${parsed.message}. Usage: ${ctx.prefix}${spec.usage}`) };
  }
  if (!args?.success) {
    const problem = args ? describeArgsProblem(args.error) : "unreadable arguments";
    return { decision: "invalid", command: spec.name, output: fail(`${problem}. Usage: ${ctx.prefix}${spec.usage}`) };
  }
  const approvalOf = spec.approval;
  const checkApproval = approvalOf && !ctx.approved
    ? async (): Promise<ApprovalCheck> => {
        const need = await approvalOf(narrowContext(ctx, spec), args.data);
        if (need === null) return { kind: "none" };
        if (typeof need === "string") return { kind: "refused", output: fail(need) };
        if ("blocks" in need) return { kind: "refused", output: need };
        const policy = ctx.policyFor(spec.name, need.hosts);
        if (policy) return { kind: "needed", policy, work: need.work, binding: need.binding ?? {} };
        return { kind: "none", ...(need.binding ? { binding: need.binding } : {}) };
      }
    : undefined;
  return {
    decision: "allowed",
    command: spec.name,
    ...(checkApproval ? { checkApproval } : {}),
    run: async (with_ = {}) => {
      const binding = with_.binding ?? ctx.approved?.binding;
      try {
        return { output: await spec.run(narrowContext({ ...ctx, ...with_, ...(binding ? { binding } : {}) }, spec), args.data) };
      } catch (error) {
        const errorId = randomBytes(4).toString("hex");
        logError(errorId, error);
        return { errorId, output: fail(`${ctx.prefix}${spec.name} failed unexpectedly (error id ${errorId}); the details are in magi's log.`) };
      }
    },
  };
}
