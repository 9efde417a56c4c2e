// Checks what a user typed as a flake revision before git sees it: git treats a leading "-" as an
// option and ".." / "^" / "~" / ":" / "@{" as revision syntax, so those never reach rev-parse.
import { describeGitNameProblem } from "../../domain/git-names.ts";

const MAX_REF_LENGTH = 100;

// Refs git would accept beyond these shapes are not worth the risk in a chat command.
const REF_ALPHABET = /^[A-Za-z0-9._/+-]+$/;

// Says why a user-typed ref is refused, or returns undefined when it may be resolved.
export function checkRef(ref: string): string | undefined {
  const shown = JSON.stringify(ref.length > 40 ? `${ref.slice(0, 40)}…` : ref);
  if (ref === "") return "the revision is empty";
  if (ref.length > MAX_REF_LENGTH) return `revision ${shown} is longer than ${MAX_REF_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(ref)) return `revision ${shown} contains control characters`;
  if (/\s/.test(ref)) return `revision ${shown} contains whitespace`;
  if (ref.startsWith("-")) return `revision ${shown} must not start with "-"`;
  if (ref.includes("..")) return `revision ${shown} must not contain ".." (give one branch, tag or commit, not a range)`;
  if (ref.includes(":")) return `revision ${shown} must not contain ":"`;
  if (ref.includes("\\")) return `revision ${shown} must not contain "\\"`;
  if (/[~^]/.test(ref)) return `revision ${shown} must not contain "~" or "^" (give the commit itself)`;
  if (ref.includes("@{") || ref === "@") return `revision ${shown} must not use reflog syntax "@{…}"`;
  if (!REF_ALPHABET.test(ref)) return `revision ${shown} may contain only letters, digits and . _ - / +`;
  if (ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")) return `revision ${shown} has an empty path component`;
  return undefined;
}

// Says why a configured remote or branch name is refused, or undefined when it is fine.
export function checkConfigName(what: string, name: string): string | undefined {
  const problem = describeGitNameProblem(name);
  return problem && `deploy.${what} ${JSON.stringify(name)} ${problem}`;
}

// True for text that can only mean an abbreviated or full commit id.
export function looksLikeSha(ref: string): boolean {
  return /^[0-9a-f]{4,40}$/.test(ref);
}
