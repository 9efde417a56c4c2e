// Turns zod issues into one plain line per problem, each naming its config path, what was
// expected and what was found; zod's own wording ("Invalid input") never reaches the user.
import type { z } from "zod";
import { describeBounds } from "./describe-bounds.ts";
import { describeValue, joinOr } from "./describe-value.ts";
import { findClosestName } from "./find-closest-name.ts";

// The keys allowed in the mapping at a path, for "did you mean"; none when unknown.
export type KeysAt = (path: readonly PropertyKey[]) => string[];

type Issue = z.core.$ZodIssue;

// YAML words for zod's type names.
const TYPE_WORDS: Record<string, string[]> = {
  object: ["a mapping"],
  record: ["a mapping"],
  map: ["a mapping"],
  array: ["a list"],
  set: ["a list"],
  boolean: ["true", "false"],
  int: ["a whole number"],
  number: ["a number"],
  string: ["a string"],
};

function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(top level)";
}

const inputOf = (issue: Issue): unknown => (issue as { input?: unknown }).input;
const typeWords = (type: string): string[] => TYPE_WORDS[type] ?? [type];
const didYouMean = (typed: unknown, names: readonly string[]) => {
  const near = typeof typed === "string" ? findClosestName(typed, names) : undefined;
  return near ? ` (did you mean ${near}?)` : "";
};

// The alternatives a union branch accepted, when it failed on the value's type or value itself.
function alternativesOf(branch: Issue[]): string[] | undefined {
  const [only] = branch;
  if (branch.length !== 1 || !only || only.path.length > 0) return undefined;
  if (only.code === "invalid_type") return typeWords(only.expected);
  if (only.code === "invalid_value") return only.values.map(String);
  return undefined;
}

// A union's problem: the branch that accepted the value's type says what is wrong inside it;
// if none did, list what each branch would have accepted.
function describeUnion(issue: z.core.$ZodIssueInvalidUnion, keysAt: KeysAt): string[] {
  const branches = issue.errors.map((branch) => ({ branch, alternatives: alternativesOf(branch) }));
  const deeper = branches.find((b) => b.branch.length > 0 && !b.alternatives);
  if (deeper) return deeper.branch.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as Issue, keysAt));
  const expected = branches.flatMap((b) => b.alternatives ?? []);
  if (expected.length === 0) return [`${formatPath(issue.path)}: does not match any accepted form, got ${describeValue(inputOf(issue))}`];
  return [`${formatPath(issue.path)}: expected ${joinOr(expected)}, got ${describeValue(inputOf(issue))}`];
}

// A string that failed a pattern: our schema's messages already say what was expected.
function describeFormat(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const got = describeValue(inputOf(issue));
  if (issue.format === "url") return `expected a URL like https://matrix.example.org, got ${got}`;
  if (issue.message.startsWith("expected")) return `${issue.message}, got ${got}`;
  return `expected ${issue.pattern ? `text matching ${issue.pattern}` : `a ${issue.format}`}, got ${got}`;
}

function describeIssue(issue: Issue, keysAt: KeysAt): string[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "invalid_type": {
      const input = inputOf(issue);
      const expected = joinOr(typeWords(issue.expected));
      if (input === undefined) return [`${path}: missing (expected ${expected})`];
      return [`${path}: expected ${expected}, got ${describeValue(input)}`];
    }
    case "invalid_value": {
      const input = inputOf(issue);
      return [`${path}: expected ${joinOr(issue.values.map(String))}, got ${describeValue(input)}${didYouMean(input, issue.values.map(String))}`];
    }
    case "invalid_union":
      return describeUnion(issue, keysAt);
    case "invalid_format":
      return [`${path}: ${describeFormat(issue)}`];
    case "too_big":
    case "too_small":
      return [`${path}: ${describeBounds(issue)}`];
    case "not_multiple_of":
      return [`${path}: expected a multiple of ${issue.divisor}, got ${describeValue(inputOf(issue))}`];
    case "invalid_key":
      // A bad record key (a host name, a user ID) is in the path already: say only why it is wrong.
      return [`${path}: ${issue.issues[0]?.message ?? "not an accepted key"}`];
    case "invalid_element":
      return issue.issues.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, issue.key as PropertyKey, ...inner.path] } as Issue, keysAt));
    case "unrecognized_keys": {
      const known = keysAt(issue.path);
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${didYouMean(key, known)}`);
    }
    default:
      // Custom checks: magi's own messages, already plain sentences.
      return [`${path}: ${issue.message}`];
  }
}

// One readable line per problem, e.g. `hosts.misato.ssh.port: expected a number, got "twenty-two"`.
export function formatIssues(issues: readonly Issue[], keysAt: KeysAt = () => []): string[] {
  return issues.flatMap((issue) => describeIssue(issue, keysAt));
}
