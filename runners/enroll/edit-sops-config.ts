// Edits a team's .sops.yaml with the yaml Document API, so comments, anchors and layout survive:
// the host's age recipient becomes an anchor under keys:, and an alias to it joins the creation rules meant for the host.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Scalar, type YAMLSeq } from "yaml";

// One creation rule as enrollment sees it: where it is in the file and which files it covers.
export interface SopsRule {
  index: number;
  pathRegex: string;
}

// What an edit did: the new text, whether anything changed, and the recipient the host's anchor held before.
export interface SopsEdit {
  text: string;
  changed: boolean;
  previous?: string;
}

// Parses .sops.yaml, or says why it can't be used.
function parseSops(text: string): Document | string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return `.sops.yaml does not parse: ${doc.errors[0]!.message.split("\n")[0]}`;
  if (!isMap(doc.contents)) return ".sops.yaml is not a mapping";
  return doc;
}

// Lists the creation rules in file order (first match wins in sops).
export function listSopsRules(text: string): SopsRule[] | string {
  const doc = parseSops(text);
  if (typeof doc === "string") return doc;
  const rules = doc.get("creation_rules");
  if (!isSeq(rules)) return ".sops.yaml has no creation_rules list";
  return rules.items.flatMap((rule, index) => {
    const regex = isMap(rule) ? rule.get("path_regex") : undefined;
    return typeof regex === "string" ? [{ index, pathRegex: regex }] : [];
  });
}

// The recipient the host's anchor holds in keys:, if any.
export function readHostRecipient(text: string, anchor: string): string | undefined {
  const doc = parseSops(text);
  if (typeof doc === "string") return undefined;
  const node = findAnchor(doc, anchor);
  return node ? String(node.value) : undefined;
}

// The keys: entry carrying anchor.
function findAnchor(doc: Document, anchor: string): Scalar | undefined {
  const keys = doc.get("keys");
  if (!isSeq(keys)) return undefined;
  return keys.items.find((item): item is Scalar => isScalar(item) && item.anchor === anchor);
}

// The age list of a rule's single key group, or why it can't take another recipient.
function findAgeList(doc: Document, rule: unknown, regex: string): YAMLSeq | string {
  if (!isMap(rule)) return `creation rule ${regex} is not a mapping`;
  const groups = rule.get("key_groups");
  if (!isSeq(groups) || groups.items.length === 0) return `creation rule ${regex} has no key_groups (magi adds recipients to key_groups: [{age: [...]}] only)`;
  // A second group turns on Shamir splitting, which sops-nix can't decrypt.
  if (groups.items.length > 1) return `creation rule ${regex} has ${groups.items.length} key groups; sops-nix needs exactly one`;
  const group = groups.items[0];
  if (!isMap(group)) return `creation rule ${regex}: its key group is not a mapping`;
  const age = group.get("age");
  if (age === undefined) {
    const list = doc.createNode([]) as YAMLSeq;
    group.set("age", list);
    return list;
  }
  return isSeq(age) ? age : `creation rule ${regex}: age is not a list`;
}

// A text change at one place of the original file.
interface Splice {
  from: number;
  to: number;
  insert: string;
}

// Where the line holding offset starts, and where the next line starts.
function lineAround(text: string, offset: number): { start: number; next: number } {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  return { start, next: end === -1 ? text.length : end + 1 };
}

// A new block-sequence item after the list's last one, indented as it is ("  - "), or undefined for an
// empty or flow list (then the whole document is re-printed).
function appendItem(text: string, list: YAMLSeq, value: string): Splice | undefined {
  const last = list.items.at(-1) as { range?: [number, number, number] } | undefined;
  if (list.flow || !last?.range) return undefined;
  const line = lineAround(text, last.range[1]);
  const marker = /^\s*-\s+/.exec(text.slice(lineAround(text, last.range[0]).start, last.range[0]))?.[0];
  if (!marker) return undefined;
  const lead = line.next === text.length && !text.endsWith("\n") ? "\n" : "";
  return { from: line.next, to: line.next, insert: `${lead}${marker}${value}\n` };
}

// Applies splices from the end backwards, so earlier offsets stay right.
function applySplices(text: string, splices: Splice[]): string {
  return [...splices].sort((a, b) => b.from - a.from).reduce((t, s) => t.slice(0, s.from) + s.insert + t.slice(s.to), text);
}

// Adds (or, with replace, re-points) the host's anchor and adds its alias to each rule whose path_regex is in pathRegexes.
// The file is changed in place, line by line, so everything else stays byte for byte; only a list magi can't
// extend in place (empty, or written [a, b]) makes it re-print the whole document.
export function editSopsConfig(text: string, anchor: string, recipient: string, pathRegexes: readonly string[], replace: boolean): SopsEdit | string {
  const doc = parseSops(text);
  if (typeof doc === "string") return doc;
  const splices: Splice[] = [];
  let reprint = false;
  let keys = doc.get("keys");
  if (keys === undefined) {
    keys = doc.createNode([]);
    doc.set("keys", keys);
  }
  if (!isSeq(keys)) return ".sops.yaml: keys is not a list";
  let node = findAnchor(doc, anchor);
  const previous = node ? String(node.value) : undefined;
  if (node && previous !== recipient) {
    if (!replace) return `.sops.yaml already has &${anchor} with another recipient (${previous}); if the host was reinstalled, use --replace`;
    if (node.range && node.type === "PLAIN") splices.push({ from: node.range[0], to: node.range[1], insert: recipient });
    else reprint = true;
    node.value = recipient;
  }
  if (!node) {
    node = doc.createNode(recipient) as Scalar;
    node.anchor = anchor;
    const splice = appendItem(text, keys, `&${anchor} ${recipient}`);
    if (splice) splices.push(splice);
    else reprint = true;
    keys.add(node);
  }
  const rules = doc.get("creation_rules");
  if (!isSeq(rules)) return ".sops.yaml has no creation_rules list";
  for (const regex of pathRegexes) {
    const rule = rules.items.find((r) => isMap(r) && r.get("path_regex") === regex);
    if (!rule) return `.sops.yaml has no creation rule with path_regex ${regex}`;
    const age = findAgeList(doc, rule, regex);
    if (typeof age === "string") return age;
    // A recipient written out in full (not through the anchor) is the old key too: it goes, or it would keep its access.
    for (const item of age.items.filter((i): i is Scalar => isScalar(i) && previous !== recipient && i.value === previous)) {
      if (item.range && !age.flow) {
        const line = lineAround(text, item.range[0]);
        splices.push({ from: line.start, to: lineAround(text, item.range[1]).next, insert: "" });
      } else reprint = true;
      age.items.splice(age.items.indexOf(item), 1);
    }
    if (age.items.some((i) => (isAlias(i) && i.source === anchor) || (isScalar(i) && i.value === recipient))) continue;
    const splice = appendItem(text, age, `*${anchor}`);
    if (splice) splices.push(splice);
    else reprint = true;
    age.add(doc.createAlias(node, anchor));
  }
  const changed = reprint || splices.length > 0;
  const edited = reprint ? doc.toString({ lineWidth: 0 }) : applySplices(text, splices);
  return { text: changed ? edited : text, changed, ...(previous !== undefined ? { previous } : {}) };
}

// The config file itself, which no rule governs.
export const SOPS_CONFIG = ".sops.yaml";

// The tracked files a set of rules governs: each file's first matching rule decides, as in sops.
export function selectRuleFiles(rules: readonly SopsRule[], files: readonly string[], pathRegexes: readonly string[]): string[] | string {
  const compiled: (SopsRule & { re: RegExp })[] = [];
  for (const rule of rules) {
    try {
      compiled.push({ ...rule, re: new RegExp(rule.pathRegex) });
    } catch {
      return `.sops.yaml: path_regex ${rule.pathRegex} is not a regular expression magi can read`;
    }
  }
  return files.filter((file) => {
    if (file === SOPS_CONFIG) return false;
    const first = compiled.find((r) => r.re.test(file));
    return first !== undefined && pathRegexes.includes(first.pathRegex);
  });
}
