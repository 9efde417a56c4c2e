// How !recipients shows who can decrypt what: recipients by their .sops.yaml anchor names, and every place where a
// file's own metadata disagrees with .sops.yaml (not re-encrypted yet, or still encrypted for a removed recipient).
import type { FileRecipients, RecipientsReport } from "../../runners/enroll/list-recipients.ts";
import type { Block } from "./types.ts";

// A recipient by its anchor's name, else its first characters (age recipients are 62 characters long).
function nameOf(report: RecipientsReport, recipient: string): string {
  return report.names.get(recipient) ?? (recipient.length > 16 ? `${recipient.slice(0, 12)}…` : recipient);
}

// Lists items as "a, b and c".
function joinNames(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

// What a file's metadata and its rule disagree on, in words; only disagreements about `only` when given.
export function describeDisagreements(report: RecipientsReport, entry: FileRecipients, only?: string): string[] {
  if (!entry.actual) return only === undefined || entry.expected.includes(only) ? [`${entry.file}: not encrypted with sops (it has no sops metadata)`] : [];
  const keep = (r: string) => only === undefined || r === only;
  const missing = entry.expected.filter((r) => keep(r) && !entry.actual!.includes(r)).map((r) => nameOf(report, r));
  const extra = entry.actual.filter((r) => keep(r) && !entry.expected.includes(r)).map((r) => nameOf(report, r));
  return [
    ...(missing.length > 0 ? [`${entry.file}: not re-encrypted for ${joinNames(missing)} yet (.sops.yaml names ${missing.length === 1 ? "it" : "them"}; sops updatekeys adds ${missing.length === 1 ? "it" : "them"})`] : []),
    ...(extra.length > 0 ? [`${entry.file}: still encrypted for ${joinNames(extra)}, which .sops.yaml no longer names for it`] : []),
  ];
}

// The files recipient can decrypt: those whose metadata lists it.
function listReadable(report: RecipientsReport, recipient: string): string[] {
  return report.files.filter((f) => f.actual?.includes(recipient)).map((f) => f.file);
}

// Every recipient (named ones first) with the files it can decrypt, then the disagreements.
export function describeAllRecipients(report: RecipientsReport): Block[] {
  const seen = [...new Set([...report.names.keys(), ...report.files.flatMap((f) => [...f.expected, ...(f.actual ?? [])])])];
  const rows = seen.map((r) => [nameOf(report, r), listReadable(report, r).join(", ") || "nothing"]);
  const problems = report.files.flatMap((f) => describeDisagreements(report, f));
  return [
    { kind: "text", text: `Who can decrypt which secrets file at ${report.sha.slice(0, 12)} (from each file's sops metadata):` },
    { kind: "table", columns: ["recipient", "can decrypt"], rows },
    problems.length > 0 ? { kind: "list", items: problems } : { kind: "text", text: "Every file is encrypted for exactly the recipients .sops.yaml names." },
  ];
}

// One host's files: what its anchor's recipient can decrypt, and where .sops.yaml and the files disagree about it.
export function describeHostRecipients(report: RecipientsReport, host: string): Block[] {
  const recipient = [...report.names].find(([, name]) => name === host)?.[0];
  if (!recipient) return [{ kind: "text", text: `.sops.yaml has no &${host} anchor at ${report.sha.slice(0, 12)}, so ${host} can decrypt no secrets file yet: !enroll ${host} adds it` }];
  const readable = listReadable(report, recipient);
  const head = `${host} (${recipient}) can decrypt ${readable.length} file${readable.length === 1 ? "" : "s"} at ${report.sha.slice(0, 12)}${readable.length > 0 ? `: ${readable.join(", ")}` : ""}`;
  const problems = report.files.flatMap((f) => describeDisagreements(report, f, recipient));
  return [{ kind: "text", text: head }, ...(problems.length > 0 ? [{ kind: "list" as const, items: problems }] : [])];
}
