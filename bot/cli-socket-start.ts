// Starts the terminal path (`magi do`) on a running bot: the room it reports to, the handler, and the socket.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Config } from "../config/schema.ts";
import { createCliHandler, type CliSessionDeps } from "./cli-session.ts";
import { startCliSocket } from "./cli-socket-server.ts";

// What starting needs: the bot's pieces the session uses, minus the room (found here) and the config's parts.
export type TerminalStartDeps = Omit<CliSessionDeps, "roomId" | "users" | "prefix"> & { config: Config; client: MatrixClient; roomIds(): string[] };

// The room terminal work is reported in: cli.room (an alias is resolved once), else the first configured room.
async function findRoom(deps: TerminalStartDeps): Promise<string | undefined> {
  const wanted = deps.config.cli.room;
  if (wanted === undefined) return deps.roomIds()[0];
  if (wanted.startsWith("!")) return wanted;
  return deps.client.resolveRoom(wanted).catch((error: Error) => (deps.log.warn({ room: wanted, err: error.message }, "cannot resolve cli.room"), undefined));
}

// Listens on <state dir>/cli/magi.sock; undefined (with a warning) when there is no room to report to or no file database.
export async function startTerminalIntake(deps: TerminalStartDeps): Promise<{ stop(): Promise<void> } | undefined> {
  if (deps.config.storage.path === ":memory:") return undefined;
  const roomId = await findRoom(deps);
  if (!roomId) {
    deps.log.warn("no room to report terminal commands in (cli.room, or a configured room); magi do is off");
    return undefined;
  }
  const handler = createCliHandler({ ...deps, roomId, users: deps.config.cli.users, prefix: deps.config.matrix.command_prefix });
  return startCliSocket(deps.config.storage.path, handler, deps.log);
}
