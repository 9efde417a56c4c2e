// magi's terminal socket: `magi do` connects here. It lives in <state dir>/cli, which only magi's user and group may
// enter; the socket is 0660. Each connection proves its Unix user (cli-socket-identity.ts) before anything runs.
// One line of JSON each way per message: challenge → request → output lines → end.
import { chmodSync, existsSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { dirname, join } from "node:path";
import type { Logger } from "pino";
import { createNonce, findUserName, readProvenUid } from "./cli-socket-identity.ts";

// Where the socket and the drop box for identity proofs are, from the database path.
export function locateCliSocket(databasePath: string): { dir: string; socket: string; dropBox: string } {
  const dir = join(dirname(databasePath), "cli");
  return { dir, socket: join(dir, "magi.sock"), dropBox: join(dir, "proofs") };
}

// What the server says, one JSON object per line.
export type ServerMessage = { t: "challenge"; nonce: string; dropBox: string } | { t: "out"; text: string } | { t: "end"; code: number };
// What the client says: the words after `magi do`, once its proof is in the drop box.
export type ClientMessage = { t: "request"; words: string[] };

// One proven terminal request, handed to the handler.
export interface CliSession {
  uid: number;
  user: string | undefined;
  words: string[];
  // Writes text to the terminal; a no-op once it has gone away.
  write(text: string): void;
  // Whether the terminal is still connected.
  connected(): boolean;
}

// Handles a request; resolves with the exit code for the terminal.
export type CliHandler = (session: CliSession) => Promise<number>;

const MAX_REQUEST_BYTES = 64 * 1024;

// Creates the directory with exactly mode (mkdir's mode is cut by the umask, and an existing one may have drifted).
function ensureDir(path: string, mode: number): void {
  if (!existsSync(path)) mkdirSync(path, { mode });
  chmodSync(path, mode);
}

// Whether a live magi already answers on this socket (then starting a second one on the same state is a mistake).
function isAnswering(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socket);
    probe.once("connect", () => (probe.destroy(), resolve(true)));
    probe.once("error", () => resolve(false));
  });
}

function serve(conn: Socket, dropBox: string, handler: CliHandler, log: Logger): void {
  const nonce = createNonce();
  let open = true;
  let buffered = "";
  let started = false;
  const send = (message: ServerMessage) => {
    if (open) conn.write(`${JSON.stringify(message)}\n`);
  };
  const finish = (code: number) => {
    send({ t: "end", code });
    conn.end();
  };
  conn.on("error", () => undefined);
  conn.on("close", () => (open = false));
  conn.setEncoding("utf8");
  conn.on("data", (chunk: string) => {
    if (started) return;
    buffered += chunk;
    if (buffered.length > MAX_REQUEST_BYTES) return finish(2);
    const end = buffered.indexOf("\n");
    if (end < 0) return;
    started = true;
    let request: ClientMessage;
    try {
      request = JSON.parse(buffered.slice(0, end)) as ClientMessage;
      if (request.t !== "request" || !Array.isArray(request.words) || !request.words.every((w) => typeof w === "string")) throw new Error("bad request");
    } catch {
      send({ t: "out", text: "magi: the request was not understood (is `magi do` the same version as the running magi?)" });
      return finish(2);
    }
    const proof = readProvenUid(dropBox, nonce);
    if ("problem" in proof) {
      log.warn({ problem: proof.problem }, "terminal connection without a valid proof of identity; refused");
      send({ t: "out", text: `magi: ${proof.problem}; nothing was run` });
      return finish(2);
    }
    const session: CliSession = { uid: proof.uid, user: findUserName(proof.uid), words: request.words, write: (text) => send({ t: "out", text }), connected: () => open };
    handler(session).then(finish, (error: unknown) => {
      log.error({ err: error, uid: proof.uid }, "terminal request failed");
      send({ t: "out", text: "magi: the request failed unexpectedly; the details are in magi's log" });
      finish(1);
    });
  });
  send({ t: "challenge", nonce, dropBox });
}

// Starts listening; stop() closes the socket and cuts connected terminals (jobs started from one run on regardless).
export async function startCliSocket(databasePath: string, handler: CliHandler, log: Logger): Promise<{ path: string; stop(): Promise<void> }> {
  const { dir, socket, dropBox } = locateCliSocket(databasePath);
  const stateDir = dirname(dir);
  // Group members must pass through the state directory to reach cli/; search (x) alone lists nothing there.
  const stateMode = statSync(stateDir).mode & 0o7777;
  if ((stateMode & 0o010) === 0) {
    chmodSync(stateDir, stateMode | 0o010);
    log.info({ dir: stateDir }, "state directory now lets magi's group pass through (g+x), to reach the terminal socket in cli/");
  }
  ensureDir(dir, 0o710);
  // Group may create entries (proofs) but not list them; sticky: nobody removes another's.
  ensureDir(dropBox, 0o1730);
  if (existsSync(socket)) {
    if (await isAnswering(socket)) throw new Error(`another magi already answers on ${socket}`);
    unlinkSync(socket);
  }
  const connections = new Set<Socket>();
  const server = createServer((conn) => {
    connections.add(conn);
    conn.on("close", () => connections.delete(conn));
    serve(conn, dropBox, handler, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socket, () => resolve());
  });
  chmodSync(socket, 0o660);
  log.info({ socket }, "terminal socket listening (magi do)");
  return {
    path: socket,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A terminal following a job would hold the close forever; the job itself runs on.
        for (const conn of connections) conn.destroy();
      }),
  };
}
