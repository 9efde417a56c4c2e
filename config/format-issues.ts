// Turns zod issues into one line per problem, each naming its config path.
import type { z } from "zod";

function formatPath(path: PropertyKey[]): string {
  return path.map(String).join(".") || "(top level)";
}

function describeValue(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return JSON.stringify(input);
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "invalid_type": {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined) return [`${path}: required ${issue.expected} is missing`];
      return [`${path}: expected ${article(issue.expected)}, got ${describeValue(input)}`];
    }
    case "invalid_key":
      // A bad record key (a host name, a user ID): say why the key is wrong, not just that it is.
      return [`${path}: ${issue.issues[0]?.message ?? issue.message}`];
    case "unrecognized_keys":
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    default:
      return [`${path}: ${issue.message}`];
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

// One readable line per problem, e.g. `hosts.misato.ssh.port: expected a number, got "twenty-two"`.
export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap(describeIssue);
}
