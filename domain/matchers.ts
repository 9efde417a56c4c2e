// Alertmanager label matchers as people type them (alertname=DiskFull, instance=~"nas.*"), checked before anything is
// sent: a silence with a typo in it would silence the wrong alerts, or nothing, without anyone noticing.

// One matcher in Alertmanager API v2's shape.
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

// Prometheus' label name rule.
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// Operators, longest first so "=~" is not read as "=" followed by "~".
const OPERATORS = ["=~", "!~", "!=", "="] as const;
type Operator = (typeof OPERATORS)[number];

const FORMS = "name=value, name!=value, name=~regex or name!~regex";

// Tells whether a token is meant as a matcher: every operator contains "=" or "!~".
export function looksLikeMatcher(token: string): boolean {
  return /=|!~/.test(token);
}

// Alertmanager uses Go's RE2; JavaScript reads the same syntax except these spellings, so they are translated to check.
function compileLikeRe2(pattern: string): RegExp {
  let flags = "u";
  let source = pattern.replace(/\(\?P</g, "(?<");
  if (source.startsWith("(?i)")) {
    flags += "i";
    source = source.slice(4);
  }
  // Alertmanager anchors every matcher regex.
  return new RegExp(`^(?:${source})$`, flags);
}

// Reads one matcher token; a string is what is wrong with it.
export function parseMatcher(token: string): Matcher | string {
  const found = /^(.*?)(=~|!~|!=|=)(.*)$/s.exec(token);
  if (!found) return `"${token}" is not a matcher; expected ${FORMS}`;
  const [, name = "", op = "=", value = ""] = found as unknown as [string, string, Operator, string];
  if (!LABEL_NAME_PATTERN.test(name)) return `"${name}" is not a label name (letters, digits and _, not starting with a digit)`;
  const isRegex = op === "=~" || op === "!~";
  if (isRegex) {
    try {
      compileLikeRe2(value);
    } catch (error) {
      return `the regex in ${token} does not compile: ${(error as Error).message}`;
    }
  }
  return { name, value, isRegex, isEqual: op === "=" || op === "=~" };
}

// Tells whether a matcher would also match an alert that lacks the label (its value is then "").
function matchesEmpty(m: Matcher): boolean {
  const hit = m.isRegex ? compileLikeRe2(m.value).test("") : m.value === "";
  return hit === m.isEqual;
}

// Reads matcher tokens; a string is the first problem. Like Alertmanager, refuses sets that would match every alert.
export function parseMatchers(tokens: string[]): Matcher[] | string {
  const matchers: Matcher[] = [];
  for (const token of tokens) {
    const m = parseMatcher(token);
    if (typeof m === "string") return m;
    matchers.push(m);
  }
  if (matchers.length > 0 && matchers.every(matchesEmpty)) return "every one of these matchers also matches alerts without that label, so the silence would cover every alert; add one like alertname=DiskFull";
  return matchers;
}

// Equality matchers for a set of labels, in label name order.
export function matchLabels(labels: Record<string, string>): Matcher[] {
  return Object.keys(labels).sort().map((name) => ({ name, value: labels[name]!, isRegex: false, isEqual: true }));
}

// A matcher as Alertmanager's UI and amtool write it: instance=~"nas.*".
export function formatMatcher(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual ? "=~" : "!~") : m.isEqual ? "=" : "!=";
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

// Tells whether an alert with these labels is matched by every matcher, as Alertmanager decides it (a missing label
// reads as "").
export function matchesLabels(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? "";
    const hit = m.isRegex ? compileLikeRe2(m.value).test(value) : m.value === value;
    return hit === m.isEqual;
  });
}

// Tells whether a silence covers an alert group: it has firing alerts and the matchers match every one of them (a
// group only partly silenced still notifies in Alertmanager, so its message must not read as silenced).
export function coversAlerts(matchers: readonly Matcher[], firing: readonly Record<string, string>[]): boolean {
  return matchers.length > 0 && firing.length > 0 && firing.every((labels) => matchesLabels(matchers, labels));
}
