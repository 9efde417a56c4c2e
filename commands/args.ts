// Argument schemas shared by commands: each command's args is a zod schema over the list of typed tokens.
import { z } from "zod";

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

// A short reason for a zod failure on arguments, without zod's internals.
export function describeArgsProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid arguments";
  return issue.message;
}
