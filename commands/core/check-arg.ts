// The argument of !check, !pause and !resume: one check name, looked up among the configured checks.
import { z } from "zod";
import { NAME_ALPHABET, NAME_PATTERN } from "../../domain/names.ts";
import type { ChecksPort } from "./checks-port.ts";
import { suggestNames } from "./suggest.ts";

// Exactly one check name, in the alphabet config names use.
export const oneCheckArgs = z
  .array(z.string())
  .length(1, "expected one check name, as !checks lists it")
  .transform((t) => t[0]!)
  .pipe(z.string().regex(NAME_PATTERN, `expected a check name from !checks (${NAME_ALPHABET})`));

// The refusal for a name that is not a configured check, with the nearest names when one is close.
export function describeUnknownCheck(checks: ChecksPort, name: string, prefix: string): string | undefined {
  const names = checks.names();
  if (names.includes(name)) return undefined;
  const close = suggestNames(name, names);
  return `unknown check ${name}${close.length > 0 ? ` (did you mean ${close.join(", ")}?)` : ""}: ${prefix}checks lists the checks magi watches`;
}
