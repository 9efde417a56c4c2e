// Removes the quoted fallback that older clients put in front of a reply, so "> <@dan> !deploy" can't be read as a command.

// The reply text without the leading "> " quote block and the blank line after it.
export function stripReplyFallback(body: string): string {
  const lines = body.split("\n");
  let index = 0;
  while (index < lines.length && lines[index]!.startsWith(">")) index++;
  if (index === 0) return body;
  if (lines[index] === "") index++;
  return lines.slice(index).join("\n");
}
