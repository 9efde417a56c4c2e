// Reads `!enroll <host> [ssh-ed25519 AAAA… [comment]] [--replace] [--deploy]`: one host name, an optional pasted public key, two flags.
import { z } from "zod";
import { hostNameToken } from "./args.ts";

// What an enroll request asks for.
export interface EnrollArgs {
  host: string;
  pasted?: string;
  replace: boolean;
  // Deploy the host at the new commit and check its secrets there.
  deploy: boolean;
}

const REPLACE = "--replace";
const DEPLOY = "--deploy";
const FLAGS = [REPLACE, DEPLOY];

// Sorts the tokens: the first word is the host, the rest (if any) the pasted key line.
const splitTokens = z.array(z.string()).transform((tokens, ctx) => {
  const flags = tokens.filter((t) => t.startsWith("--"));
  const words = tokens.filter((t) => !t.startsWith("--"));
  const unknown = flags.find((f) => !FLAGS.includes(f));
  const problem = unknown !== undefined ? `unknown option ${unknown.slice(0, 30)} (the options are ${FLAGS.join(" and ")})` : words.length < 1 ? "expected a host name" : undefined;
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return { host: words[0]!, ...(words.length > 1 ? { pasted: words.slice(1).join(" ") } : {}), replace: flags.includes(REPLACE), deploy: flags.includes(DEPLOY) };
});

// The enroll command's argument schema.
export const enrollArgs: z.ZodType<EnrollArgs, string[]> = splitTokens.pipe(z.object({ host: hostNameToken, pasted: z.string().optional(), replace: z.boolean(), deploy: z.boolean() }));
