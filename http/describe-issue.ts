// Names the first thing wrong with a payload, so the sender's log says what to fix.
import type { z } from "zod";

// "alerts.0.fingerprint: Invalid input: expected string, received undefined".
export function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "the payload does not match the schema";
  const path = issue.path.map(String).join(".");
  return `${path === "" ? "(body)" : path}: ${issue.message}`;
}
