// Reads who may decrypt what, without decrypting anything: each .sops.yaml creation rule's age recipients (aliases
// resolved to their anchors' values, anchor names kept as the recipients' names), and the recipients a file's own sops
// metadata lists (the data key is wrapped for exactly those).
import { isAlias, isMap, isScalar, isSeq, parse, parseDocument, type Document } from "yaml";

// One creation rule: its path_regex and the age recipients it names (all key groups, in order).
export interface RuleRecipients {
  pathRegex: string;
  recipients: string[];
}

// What .sops.yaml says: the rules in file order, and a name for each recipient that has an anchor under keys:.
export interface SopsRecipients {
  rules: RuleRecipients[];
  names: Map<string, string>;
}

// An age list item, or the flat form's comma-separated string, as recipients.
function readAgeItems(doc: Document, value: unknown): string[] {
  if (isScalar(value) || typeof value === "string") return String(isScalar(value) ? value.value : value).split(",").map((r) => r.trim()).filter(Boolean);
  if (!isSeq(value)) return [];
  return value.items.flatMap((item) => {
    const node = isAlias(item) ? item.resolve(doc) : item;
    return isScalar(node) ? [String(node.value).trim()] : [];
  });
}

// Reads every rule's recipients and the anchors' names, or says why .sops.yaml can't be read.
export function readSopsRecipients(text: string): SopsRecipients | string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return `.sops.yaml does not parse: ${doc.errors[0]!.message.split("\n")[0]}`;
  const names = new Map<string, string>();
  const keys = doc.get("keys");
  if (isSeq(keys)) for (const item of keys.items) if (isScalar(item) && item.anchor) names.set(String(item.value).trim(), item.anchor);
  const rules = doc.get("creation_rules");
  if (!isSeq(rules)) return ".sops.yaml has no creation_rules list";
  const read: RuleRecipients[] = [];
  for (const rule of rules.items) {
    if (!isMap(rule)) continue;
    const regex = rule.get("path_regex");
    if (typeof regex !== "string") continue;
    const groups = rule.get("key_groups");
    const fromGroups = isSeq(groups) ? groups.items.flatMap((g) => (isMap(g) ? readAgeItems(doc, g.get("age", true)) : [])) : [];
    read.push({ pathRegex: regex, recipients: [...new Set([...readAgeItems(doc, rule.get("age", true)), ...fromGroups])] });
  }
  return { rules: read, names };
}

// The dotenv and ini formats flatten the metadata into keys: sops_age__list_0__map_recipient=… (dotenv), or
// age__list_0__map_recipient = … under [sops] (ini).
const FLAT_RECIPIENT = /^\s*(?:sops_)?age__list_\d+__map_recipient\s*=\s*(\S+)\s*$/gm;

// The age recipients a sops-encrypted file's metadata lists (yaml, json and binary files keep sops.age[].recipient;
// dotenv and ini files a flattened key), or undefined when the file carries no sops metadata.
export function readFileRecipients(text: string): string[] | undefined {
  const flat = [...text.matchAll(FLAT_RECIPIENT)].map((m) => m[1]!);
  if (flat.length > 0) return flat;
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return undefined;
  }
  const sops = (data as { sops?: { age?: unknown } } | null)?.sops;
  if (typeof sops !== "object" || sops === null) return undefined;
  const age = Array.isArray(sops.age) ? sops.age : [];
  return age.flatMap((entry) => (typeof entry?.recipient === "string" ? [entry.recipient.trim()] : []));
}
