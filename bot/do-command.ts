// `magi do <command…>`: the client. It finds magi's socket, proves its Unix user by answering the server's challenge
// (a 0700 directory named by the nonce in the drop box; see cli-socket-identity.ts), sends the words and prints what
// comes back. Closing the terminal only stops the printing; what magi started runs on. When magi is not running, the
// read-only commands (audit, jobs) are answered from the database (cli-offline.ts); everything else is refused.
import { mkdirSync, rmdirSync, chmodSync } from "node:fs";
import { createConnection } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { locateCliSocket, type ServerMessage } from "./cli-socket-server.ts";

const USAGE = "usage: magi do [--config FILE | --socket PATH] <command…>   (e.g. magi do status, magi do deploy vps, magi do approve 7)";

// The socket path, the config (when given) and the command words; options only before the first word, so
// `magi do deploy x --boot` keeps --boot.
function readOptions(argv: string[]): { socket?: string; config?: Config; words: string[] } | { problem: string } {
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
  let loaded: Config | undefined;
  if (config !== undefined) {
    const read = loadConfig(config, { checkMachine: false });
    if (!read.ok) return { problem: `cannot read ${config}: ${read.problems[0]}` };
    loaded = read.config;
    socket ??= locateCliSocket(loaded.storage.path).socket;
  }
  if (socket === undefined) return { problem: "where is magi? give --config FILE (or MAGI_CONFIG) or --socket PATH (or MAGI_SOCKET)" };
  return { socket, words: argv.slice(i), ...(loaded ? { config: loaded } : {}) };
}

// Why the socket could not be reached, in words a person at a terminal can act on.
function describeConnectError(error: NodeJS.ErrnoException, socket: string): string {
  if (error.code === "ENOENT" || error.code === "ECONNREFUSED") return `magi is not running (nothing answers on ${socket}); start it, or use the room when the homeserver is back`;
  if (error.code === "EACCES" || error.code === "EPERM") return `you may not reach magi's socket ${socket}: only magi's user and group may; ask an admin to add your user to magi's group`;
  return `cannot reach magi at ${socket}: ${error.message}`;
}

// The Unix user running this client (by uid when it has no name).
function readUnixUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}

// With magi down: a read-only command is read from the database (which needs the config to find it); others are refused.
async function answerWithoutMagi(words: string[], config: Config | undefined, refusal: string): Promise<number> {
  const { OFFLINE_COMMANDS, answerOffline } = await import("./cli-offline.ts");
  if (!OFFLINE_COMMANDS.includes(words[0]!)) {
    console.error(`magi do: ${refusal}`);
    return 1;
  }
  if (!config) {
    console.error(`magi do: ${refusal}\nmagi do: to read ${words[0]} from the database instead, give --config FILE (or MAGI_CONFIG)`);
    return 1;
  }
  const { code, text } = await answerOffline(config, readUnixUser(), words);
  process.stdout.write(`${text}\n`);
  return code;
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
    let offline: Promise<number> | undefined;
    conn.on("error", (error: NodeJS.ErrnoException) => {
      const refusal = describeConnectError(error, socket!);
      if (proof === undefined && (error.code === "ENOENT" || error.code === "ECONNREFUSED")) offline = answerWithoutMagi(words, options.config, refusal);
      else console.error(`magi do: ${refusal}`);
      code ??= 1;
    });
    conn.on("close", () => {
      try {
        if (proof) rmdirSync(proof);
      } catch {
        // The server removed it, as it should.
      }
      if (offline) return void offline.then(resolve, (error: Error) => (console.error(`magi do: ${error.message}`), resolve(1)));
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
