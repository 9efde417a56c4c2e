// Decides whether a custom check passed, from its config and the command's result.
import type { CommandResult } from "../ssh/index.ts";
import { describeProbeFailure } from "./describe-failure.ts";
import type { CheckOutcome, CustomCheck } from "./types.ts";

// Judges one check: the exit code first, then what stdout must and must not contain.
export function evaluateCheck(check: CustomCheck, result: CommandResult | undefined, timeoutMs: number): CheckOutcome {
  const failed = (note: string): CheckOutcome => ({ name: check.name, ok: false, note });
  if (!result || result.exitCode === null) return failed(describeProbeFailure(result, timeoutMs));
  if (result.exitCode === 127) return failed("command not found on the host");
  if (result.exitCode !== check.ok.exitCode) return failed(describeProbeFailure(result, timeoutMs));
  const { stdoutIncludes, stdoutExcludes } = check.ok;
  if (stdoutIncludes !== undefined && !result.stdout.includes(stdoutIncludes)) return failed(`output lacks ${JSON.stringify(stdoutIncludes)}`);
  if (stdoutExcludes !== undefined && result.stdout.includes(stdoutExcludes)) return failed(`output contains ${JSON.stringify(stdoutExcludes)}`);
  return { name: check.name, ok: true, note: "ok" };
}
