// How config messages show a value that was given and a list of what was expected.

const MAX_SHOWN = 60;

// A value as the config's author wrote it: strings quoted, mappings and lists by kind, long text cut.
export function describeValue(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null (an empty value)";
  if (Array.isArray(input)) return input.length === 0 ? "an empty list" : "a list";
  if (typeof input === "object") return "a mapping";
  const shown = JSON.stringify(input) ?? String(input);
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 2)}…"` : shown;
}

// "a", "a or b", "a, b or c".
export function joinOr(items: readonly string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? "") : `${unique.slice(0, -1).join(", ")} or ${unique.at(-1)}`;
}
