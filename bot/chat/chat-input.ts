// Reads one typed line as either a message to send or a /command.

// What a typed line asks for.
export type ChatInput =
  | { kind: "send"; body: string }
  | { kind: "react"; n: number; key: string }
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "error"; message: string }
  | { kind: "nothing" };

// Printed for /help.
export const CHAT_HELP = `type a line and press enter to send it to the room
  /react N EMOJI   react to message [N], e.g. /react 3 👍
  //text           send a line that starts with "/"
  /help            this list
  /quit            leave (so does Ctrl-D or Ctrl-C)`;

// Parses a line; blank lines do nothing so a stray enter doesn't post an empty message.
export function parseInput(line: string): ChatInput {
  const text = line.replace(/\r$/, "");
  if (text.trim() === "") return { kind: "nothing" };
  if (text.startsWith("//")) return { kind: "send", body: text.slice(1) };
  if (!text.startsWith("/")) return { kind: "send", body: text };

  const [command = "", ...rest] = text.trim().split(/\s+/);
  switch (command.toLowerCase()) {
    case "/help":
    case "/?":
      return { kind: "help" };
    case "/quit":
    case "/exit":
      return { kind: "quit" };
    case "/react": {
      const match = /^\[?(\d+)\]?$/.exec(rest[0] ?? "");
      const key = rest.slice(1).join(" ");
      if (!match || !key) return { kind: "error", message: "usage: /react N EMOJI (N is the number in [brackets])" };
      return { kind: "react", n: Number(match[1]), key };
    }
    default:
      return { kind: "error", message: `unknown command ${command}; /help lists the commands` };
  }
}
