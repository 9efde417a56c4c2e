// Recognises a message addressed to magi ("magi: !status", "@magi !status", a mention pill) and reads the command after the address.

// The lower-cased ways people name magi at the start of a message, longest first so "@magi:server" wins over "@magi".
export function addressNames(botUserId: string, ...displayNames: (string | undefined)[]): string[] {
  const localpart = botUserId.slice(1).split(":")[0] ?? "";
  const names = [botUserId, `@${localpart}`, localpart, ...displayNames.map((n) => n?.trim())];
  return [...new Set(names.filter((n): n is string => !!n).map((n) => n.toLowerCase()))].sort((a, b) => b.length - a.length);
}

// The text after a leading address to magi ("magi:", "magi,", "@magi", a display name), or undefined when it does not start with one.
export function stripAddress(text: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (text.slice(0, name.length).toLowerCase() !== name) continue;
    let rest = text.slice(name.length);
    const separated = rest[0] === ":" || rest[0] === ",";
    if (separated) rest = rest.slice(1);
    const trimmed = rest.trimStart();
    if (separated || (trimmed !== rest && trimmed !== "")) return trimmed;
  }
  return undefined;
}

// The command text of a message, with or without an address to magi in front; undefined when it is no command for magi.
export function readAddressedCommand(text: string, prefix: string, names: readonly string[]): string | undefined {
  const trimmed = text.trimStart();
  if (trimmed.startsWith(prefix)) return trimmed;
  const rest = stripAddress(trimmed, names);
  return rest?.startsWith(prefix) ? rest : undefined;
}
