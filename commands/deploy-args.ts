// Reads `!deploy <host|@tag|a,b|all> [ref] [--dry-run|--boot|--test|--switch]`: a selector, an optional git ref, one action flag.
import { z } from "zod";
import { checkRef } from "../runners/flake/check-ref.ts";
import type { DeployAction } from "../runners/deploy/types.ts";

const FLAGS: Record<string, DeployAction> = { "--dry-run": "dry-activate", "--dry-activate": "dry-activate", "--boot": "boot", "--test": "test", "--switch": "switch" };
const SELECTOR = /^(all|@[a-z0-9][a-z0-9-]{0,62}|[a-z0-9][a-z0-9-]{0,62}(,[a-z0-9][a-z0-9-]{0,62})*)$/;

// What a deploy request asks for.
export interface DeployArgs {
  selector: string;
  ref?: string;
  action: DeployAction;
}

// The deploy command's argument schema.
export const deployArgs = z.array(z.string()).transform((tokens, ctx): DeployArgs => {
  const flags = tokens.filter((t) => t.startsWith("--"));
  const words = tokens.filter((t) => !t.startsWith("--"));
  const unknown = flags.find((f) => FLAGS[f] === undefined);
  const problem =
    unknown !== undefined ? `unknown option ${unknown.slice(0, 30)} (use --dry-run, --boot, --test or --switch)`
    : flags.length > 1 ? "give at most one of --dry-run, --boot, --test, --switch"
    : words.length < 1 || words.length > 2 ? "expected a host (or @tag, a,b, all) and optionally a git ref"
    : !SELECTOR.test(words[0]!) ? "expected a host name from !hosts, a @tag, a,b or all"
    : words[1] !== undefined ? checkRef(words[1]) : undefined;
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return { selector: words[0]!, ...(words[1] !== undefined ? { ref: words[1] } : {}), action: flags[0] ? FLAGS[flags[0]]! : "switch" };
});
