// `magi do <command…>`: the client. It finds magi's socket, proves its Unix user by answering the server's challenge
// (a 0700 directory named by the nonce in the drop box; see cli-socket-identity.ts), sends the words and prints what
// comes back. Closing the terminal only stops the printing; what magi started runs on.
import { mkdirSync, rmdirSync, chmodSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { loadConfig } from "../config/load-config.ts";
import { locateCliSocket, type ServerMessage } from "./cli-socket-server.ts";

const USAGE = "usage: magi do [--config FILE | --socket PATH] <command…>   (e.g. magi do status, magi do deploy vps, magi do approve 7)";

// The socket path and the command words; options only before the first word, so `magi do deploy x --boot` keeps --boot.
function readOptions(argv: string[]): { socket?: string; words: string[] } | { problem: string } {
  let socket = process.env.MAGI_SOCKET;
  let config = process.env.MAGI_CONFIG;
  let i = 0;
  for (; i < argv.length; i += 2) {
    const option = argv[i]!;
    if (option !== "--config" && option !== "--socket") break;
    const value = argv[i + 1];
    if (value === undefined) return { problem: `${option} needs a value` };
    if (option === "--socket") socket = value;
    else config = value;
  }
  if (socket === undefined && config !== undefined) {
    const loaded = loadConfig(config, { checkMachine: false });
    if (!loaded.ok) return { problem: `cannot read ${config}: ${loaded.problems[0]}` };
    socket = locateCliSocket(loaded.config.storage.path).socket;
  }
  return socket === undefined ? { problem: "where is magi? give --config FILE (or MAGI_CONFIG) or --socket PATH (or MAGI_SOCKET)" } : { socket, words: argv.slice(i) };
}

// Why the socket could not be reached, in words a person at a terminal can act on.
function describeConnectError(error: NodeJS.ErrnoException, socket: string): string {
  if (error.code === "ENOENT" || error.code === "ECONNREFUSED") return `magi is not running (nothing answers on ${socket}); start it, or use the room when the homeserver is back`;
  if (error.code === "EACCES" || error.code === "EPERM") return `you may not reach magi's socket ${socket}: only magi's user and group may; ask an admin to add your user to magi's group`;
  return `cannot reach magi at ${socket}: ${error.message}`;
}

// Answers the challenge: the proof directory, created by this process so the kernel records its uid as the owner.
function proveIdentity(dropBox: string, nonce: string): string | undefined {
  if (!/^[0-9a-f]{32}$/.test(nonce)) return "the server sent a malformed challenge";
  try {
    mkdirSync(join(dropBox, nonce), { mode: 0o700 });
    chmodSync(join(dropBox, nonce), 0o700);
    return undefined;
  } catch (error) {
    return `cannot leave a proof of identity in ${dropBox}: ${(error as Error).message}`;
  }
}

// Runs `magi do`; resolves with the exit code.
export function runDo(argv: string[]): Promise<number> {
  const options = readOptions(argv);
  if ("problem" in options) {
    console.error(`magi do: ${options.problem}\n${USAGE}`);
    return Promise.resolve(2);
  }
  if (options.words.length === 0 || options.words[0] === "--help") {
    console.error(USAGE);
    return Promise.resolve(options.words.length === 0 ? 2 : 0);
  }
  const { socket, words } = options;
  return new Promise((resolve) => {
    const conn = createConnection(socket!);
    let buffered = "";
    let code: number | undefined;
    let proof: string | undefined;
    conn.setEncoding("utf8");
    conn.on("error", (error: NodeJS.ErrnoException) => {
      console.error(`magi do: ${describeConnectError(error, socket!)}`);
      code ??= 1;
    });
    conn.on("close", () => {
      try {
        if (proof) rmdirSync(proof);
      } catch {
        // The server removed it, as it should.
      }
      if (code === undefined) console.error("magi do: magi closed the connection before answering (did it stop?)");
      resolve(code ?? 1);
    });
    conn.on("data", (chunk: string) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf("\n")) >= 0) {
        const message = JSON.parse(buffered.slice(0, end)) as ServerMessage;
        buffered = buffered.slice(end + 1);
        if (message.t === "challenge") {
          const problem = proveIdentity(message.dropBox, message.nonce);
          if (problem) {
            console.error(`magi do: ${problem}`);
            code = 1;
            return void conn.destroy();
          }
          proof = join(message.dropBox, message.nonce);
          conn.write(`${JSON.stringify({ t: "request", words })}\n`);
        } else if (message.t === "out") {
          process.stdout.write(`${message.text}\n`);
        } else {
          code = message.code;
        }
      }
    });
  });
}
