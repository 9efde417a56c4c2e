// Reads `!deploy <host|@tag|a,b|all> [ref] [--dry-run|--boot|--test|--switch]`: a selector, an optional git ref, one action flag.
import { z } from "zod";
import { DEFAULT_DEPLOY_ACTION, DEPLOY_ACTIONS, type DeployAction } from "../../domain/deploy.ts";
import { refToken, selectorToken } from "./args.ts";

// Each action as a flag (--switch, --boot, --test, --dry-activate), and --dry-run as the short way to say dry-activate.
const FLAGS: Record<string, DeployAction> = { ...Object.fromEntries(DEPLOY_ACTIONS.map((a) => [`--${a}`, a])), "--dry-run": "dry-activate" };

// What a deploy request asks for.
export interface DeployArgs {
  selector: string;
  ref?: string;
  action: DeployAction;
}

// Sorts the tokens into words and one action; the selector and ref are checked by their own tokens after.
const splitTokens = z.array(z.string()).transform((tokens, ctx) => {
  const flags = tokens.filter((t) => t.startsWith("--"));
  const words = tokens.filter((t) => !t.startsWith("--"));
  const unknown = flags.find((f) => FLAGS[f] === undefined);
  const problem =
    unknown !== undefined ? `unknown option ${unknown.slice(0, 30)} (use --dry-run, --boot, --test or --switch)`
    : flags.length > 1 ? "give at most one of --dry-run, --boot, --test, --switch"
    : words.length < 1 || words.length > 2 ? "expected a host (or @tag, a,b, all) and optionally a git ref"
    : undefined;
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return { selector: words[0]!, ...(words[1] !== undefined ? { ref: words[1] } : {}), action: flags[0] ? FLAGS[flags[0]]! : DEFAULT_DEPLOY_ACTION };
});

// The deploy command's argument schema.
export const deployArgs: z.ZodType<DeployArgs, string[]> = splitTokens.pipe(
  z.object({ selector: selectorToken, ref: refToken.optional(), action: z.enum(DEPLOY_ACTIONS) }),
);
