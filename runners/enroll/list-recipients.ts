// Who can decrypt which secrets file at the head of the team's branch, read from .sops.yaml and each file's own sops
// metadata (nothing is decrypted): what !recipients shows.
import { resolveRevision } from "../flake/index.ts";
import { SOPS_CONFIG } from "./edit-sops-config.ts";
import { listTrackedFiles, readSopsConfig, showFile } from "./read-flake.ts";
import { readFileRecipients, readSopsRecipients, type RuleRecipients } from "./read-sops-recipients.ts";
import type { EnrollSettings } from "./settings.ts";

// One governed file: the recipients its rule names, and those its metadata lists (undefined: not encrypted by sops).
export interface FileRecipients {
  file: string;
  expected: string[];
  actual?: string[];
}

// The whole picture at one commit; names maps a recipient to its anchor in .sops.yaml.
export interface RecipientsReport {
  sha: string;
  names: ReadonlyMap<string, string>;
  files: FileRecipients[];
}

// The first rule whose path_regex matches, as sops picks it; a regex JavaScript can't read matches nothing.
function findFirstRule(rules: readonly RuleRecipients[], file: string): RuleRecipients | undefined {
  return rules.find((rule) => {
    try {
      return new RegExp(rule.pathRegex).test(file);
    } catch {
      return false;
    }
  });
}

// Reads the branch's head and every tracked file a creation rule governs.
export async function listRecipients(settings: Pick<EnrollSettings, "flakeDir" | "remote" | "branch">): Promise<RecipientsReport | { problem: string }> {
  const rev = await resolveRevision(settings.flakeDir, undefined, { remote: settings.remote, branch: settings.branch });
  if (!rev.ok) return { problem: rev.problem };
  const sopsText = await readSopsConfig(settings.flakeDir, rev.sha);
  if (typeof sopsText !== "string") return sopsText;
  const config = readSopsRecipients(sopsText);
  if (typeof config === "string") return { problem: config };
  const tracked = await listTrackedFiles(settings.flakeDir, rev.sha);
  if (typeof tracked === "string") return { problem: tracked };
  const files: FileRecipients[] = [];
  for (const file of tracked) {
    const rule = file === SOPS_CONFIG ? undefined : findFirstRule(config.rules, file);
    if (!rule) continue;
    const actual = readFileRecipients((await showFile(settings.flakeDir, rev.sha, file)) ?? "");
    files.push({ file, expected: rule.recipients, ...(actual ? { actual } : {}) });
  }
  return { sha: rev.sha, names: config.names, files };
}
