// Splits a chat message into a command name and argument tokens. Tokens are data: nothing here (or anywhere) hands them to a shell.

// Longer messages are refused outright: no command needs more, and it bounds the work done on hostile input.
export const MAX_COMMAND_LENGTH = 2000;

// The result of reading a message: not a command, a command, or a command we could not read.
export type Parsed =
  | { kind: "none" }
  | { kind: "command"; name: string; args: string[] }
  | { kind: "error"; name: string; message: string };

// Slack turns straight quotes into curly ones; treat them alike so quoting works from Slack too.
const QUOTES: Record<string, string> = { '"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019" };

// Phones and macOS turn a typed "--" into an en or em dash; at the start of an unquoted token it meant "--".
const SMART_DASHES = new Set(["\u2013", "\u2014"]);

// Reads a message that may start with prefix; anything else is not a command.
export function parseCommand(body: string, prefix: string): Parsed {
  const trimmed = body.trim();
  if (!trimmed.startsWith(prefix)) return { kind: "none" };
  const rest = trimmed.slice(prefix.length);
  const nameMatch = /^[A-Za-z][A-Za-z0-9_-]*/.exec(rest);
  if (!nameMatch) return { kind: "none" };
  const name = nameMatch[0].toLowerCase();
  if (trimmed.length > MAX_COMMAND_LENGTH) {
    return { kind: "error", name, message: `command is too long (${trimmed.length} characters, at most ${MAX_COMMAND_LENGTH})` };
  }
  const after = rest.slice(name.length);
  if (after !== "" && !/^\s/.test(after)) return { kind: "none" };
  const tokens = tokenize(after);
  if (typeof tokens === "string") return { kind: "error", name, message: tokens };
  return { kind: "command", name, args: tokens };
}

// Whitespace-separated tokens; quotes group words, and a leading smart dash reads as "--". Returns an error message on an unterminated quote.
export function tokenize(input: string): string[] | string {
  const tokens: string[] = [];
  let current = "";
  let inToken = false;
  let closing: string | undefined;
  for (const char of input) {
    if (closing !== undefined) {
      if (char === closing || (closing === "\u201d" && char === "\u201c")) closing = undefined;
      else current += char;
    } else if (QUOTES[char] !== undefined) {
      closing = QUOTES[char];
      inToken = true;
    } else if (/\s/u.test(char)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += !inToken && SMART_DASHES.has(char) ? "--" : char;
      inToken = true;
    }
  }
  if (closing !== undefined) return `unterminated quote: add a closing ${closing}`;
  if (inToken) tokens.push(current);
  return tokens;
}
