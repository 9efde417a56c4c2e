// `magi chat`: a small terminal Matrix client for demos and manual testing, talking to a real homeserver.
import { createInterface, clearLine, cursorTo, type Interface } from "node:readline";
import { CHAT_HELP, parseInput } from "./chat-input.ts";
import { resolveSession } from "./chat-session.ts";
import { openRoomLink, type RoomLink } from "./room-link.ts";
import { Timeline } from "./timeline.ts";

const HISTORY_LIMIT = 10;
// After stdin ends, how long to keep listening so the echo of the last line (or a quick reply) still shows.
const STDIN_END_GRACE_MS = 1_000;

// Writes a line without mangling what the user is typing: on a terminal the prompt is redrawn below it.
function makePrinter(getPrompt: () => Interface | undefined): (line: string) => void {
  const tty = process.stdout.isTTY === true;
  return (line) => {
    const rl = getPrompt();
    if (!tty || !rl) {
      process.stdout.write(`${line}\n`);
      return;
    }
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    process.stdout.write(`${line}\n`);
    rl.prompt(true);
  };
}

// Runs the chat until /quit, end of stdin or a signal; resolves with the exit code.
export async function runChat(args: string[]): Promise<number> {
  const resolved = resolveSession(args);
  if (!resolved.ok) {
    (resolved.code === 0 ? console.log : console.error)(resolved.message);
    return resolved.code;
  }
  const { session } = resolved;
  let rl: Interface | undefined;
  const print = makePrinter(() => rl);
  const warn = (line: string) => print(`! ${line}`);

  let link: RoomLink;
  try {
    link = await openRoomLink(session, warn);
  } catch (error) {
    console.error(`magi chat: cannot connect to ${session.homeserverUrl}: ${(error as Error).message}`);
    return 1;
  }

  const timeline = new Timeline();
  const show = (event: Parameters<Timeline["render"]>[0]) => {
    const line = timeline.render(event);
    if (line !== null) print(line);
  };
  print(`magi chat: ${link.userId} in ${session.roomId} on ${session.homeserverUrl} (/help for commands)`);
  try {
    for (const event of await link.history(HISTORY_LIMIT)) show(event);
  } catch (error) {
    warn(`cannot load recent messages: ${(error as Error).message}`);
  }
  print("── live ──");
  link.follow(show);

  const code = await new Promise<number>((resolve) => {
    let finished = false;
    // One line at a time, so messages arrive in the order they were typed.
    let queue: Promise<void> = Promise.resolve();
    const finish = async (exitCode: number) => {
      if (finished) return;
      finished = true;
      rl?.close();
      await queue;
      await link.close();
      resolve(exitCode);
    };
    const handle = async (line: string) => {
      if (finished) return;
      const input = parseInput(line);
      try {
        switch (input.kind) {
          case "send":
            await link.sendText(input.body);
            break;
          case "react": {
            const target = timeline.reactionTarget(input.n);
            if ("problem" in target) warn(target.problem);
            else await link.react(target.eventId, input.key);
            break;
          }
          case "help":
            print(CHAT_HELP);
            break;
          case "quit":
            void finish(0);
            break;
          case "error":
            warn(input.message);
            break;
          case "nothing":
            break;
        }
      } catch (error) {
        warn(`not sent: ${(error as Error).message}`);
      }
    };

    const tty = process.stdin.isTTY === true;
    rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
    rl.setPrompt("> ");
    if (tty) rl.prompt();
    rl.on("line", (line) => {
      queue = queue.then(() => handle(line));
      if (tty) rl?.prompt();
    });
    rl.on("close", () => {
      if (finished) return;
      void queue.then(() => new Promise((r) => setTimeout(r, STDIN_END_GRACE_MS))).then(() => finish(0));
    });
    // On a terminal readline turns Ctrl-C into its own SIGINT event; a piped chat gets the real signal.
    rl.on("SIGINT", () => void finish(0));
    process.once("SIGINT", () => void finish(0));
    process.once("SIGTERM", () => void finish(0));
  });
  // The SDK cannot abort its in-flight sync long-poll (and keeps its sockets alive), which would hold the process for up to 30 s.
  process.exit(code);
}
