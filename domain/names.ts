// Host and tag names, and the selectors users type to pick machines (misato, @k3s, a,b, all).
// These are the only words that choose a machine, so they are kept to a safe alphabet, written once here.

const NAME = "[a-z0-9][a-z0-9-]{0,62}";

// A host or tag name: 1-63 lower-case letters, digits and dashes, not starting with a dash.
export const NAME_PATTERN = new RegExp(`^${NAME}$`);
// The alphabet in words, for every message that refuses a name.
export const NAME_ALPHABET = "lower-case letters, digits and dashes";

// The selector word for every host.
export const ALL_HOSTS = "all";
// What marks a tag in a selector or an approval rule (@k3s).
export const TAG_MARK = "@";

// One host name, a @tag, a comma list of names, or all.
export const SELECTOR_PATTERN = new RegExp(`^(${ALL_HOSTS}|${TAG_MARK}${NAME}|${NAME}(,${NAME})*)$`);
// A host name or a @tag, as approval rules name them.
export const MATCHER_PATTERN = new RegExp(`^${TAG_MARK}?${NAME}$`);

// The refusal for anything typed where one host name belongs.
export const HOST_NAME_MESSAGE = `expected a host name from !hosts (${NAME_ALPHABET})`;
// The refusal for anything typed where a selector belongs.
export const SELECTOR_MESSAGE = `expected a host name from !hosts (${NAME_ALPHABET}), a @tag, a,b or all`;

// What a well-formed selector picks.
export type Selection = { kind: "all" } | { kind: "tag"; tag: string } | { kind: "names"; names: string[] };

// Tells whether text is a well-formed host or tag name.
export function isName(text: string): boolean {
  return NAME_PATTERN.test(text);
}

// Reads a selector the user typed, or says why it is refused.
export function parseSelector(text: string): Selection | { problem: string } {
  if (!SELECTOR_PATTERN.test(text)) return { problem: SELECTOR_MESSAGE };
  if (text === ALL_HOSTS) return { kind: "all" };
  if (text.startsWith(TAG_MARK)) return { kind: "tag", tag: text.slice(TAG_MARK.length) };
  return { kind: "names", names: text.split(",") };
}
