// Argument schemas shared by commands: each command's args is a zod schema over the list of typed tokens,
// built from typed tokens (a host name, a selector, a git ref, a job id) whose patterns and messages live here once.
import { z } from "zod";
import { HOST_NAME_MESSAGE, NAME_PATTERN, SELECTOR_MESSAGE, SELECTOR_PATTERN } from "../../domain/names.ts";
import { checkRef } from "../../runners/flake/check-ref.ts";

// No arguments at all.
export const noArgs = z.array(z.string()).max(0, "this command takes no arguments");

// Zero or one argument, as an optional string.
export function optionalArg<T>(schema: z.ZodType<T, string>) {
  return z
    .array(z.string())
    .max(1, "expected at most one argument")
    .transform((tokens) => tokens[0])
    .pipe(schema.optional());
}

// One host name; addresses, paths, flags and shell text are refused before anything looks them up.
export const hostNameToken = z.string().regex(NAME_PATTERN, HOST_NAME_MESSAGE);

// One selector: a host name, a @tag, a,b or all.
export const selectorToken = z.string().regex(SELECTOR_PATTERN, SELECTOR_MESSAGE);

// A git ref as users type it (branch, tag or commit); git's revision syntax and option-like text are refused.
export const refToken = z.string().superRefine((ref, ctx) => {
  const problem = checkRef(ref);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// The message for anything typed where a job id belongs.
export const JOB_ID_MESSAGE = "expected a job id (a number, as !jobs shows it)";

// A job id as !jobs shows it, with or without a leading #.
export const jobIdToken = z.string().transform((t) => t.replace(/^#/, "")).pipe(z.string().regex(/^\d{1,9}$/, JOB_ID_MESSAGE).transform(Number));

// A short reason for a zod failure on arguments, without zod's internals.
export function describeArgsProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid arguments";
  return issue.message;
}
