// Wires config, storage, the Matrix client and the command intake into a running bot.
import type { Logger } from "pino";
import { createLevelResolver } from "../commands/access.ts";
import { COMMANDS } from "../commands/registry.ts";
import type { CommandContext } from "../commands/types.ts";
import type { Config } from "../config/schema.ts";
import { createAuditLog } from "../storage/audit-log.ts";
import { createKvStore } from "../storage/kv-store.ts";
import { openDatabase } from "../storage/open-database.ts";
import { createProcessedEvents } from "../storage/processed-events.ts";
import { bootstrapSync, SYNC_FILTER } from "./bootstrap-sync.ts";
import { createIntake } from "./intake.ts";
import { createInviteHandler, isEncrypted } from "./invites.ts";
import { registerSecret } from "./logger.ts";
import { MagiMatrixClient } from "./magi-client.ts";
import { readAccessToken } from "./read-access-token.ts";
import { createReplyPort } from "./reply-port.ts";
import { createRoomDirectory } from "./room-directory.ts";
import { routeSdkLogs } from "./sdk-logging.ts";
import { createSqliteStorageProvider } from "./sqlite-storage-provider.ts";
import { waitForHomeserver } from "./wait-for-homeserver.ts";
import { createDirectRoomCheck } from "./direct-rooms.ts";
import { createJoinTimes } from "./join-times.ts";

const PROCESSED_RETENTION_MS = 30 * 24 * 3600_000;

// A running bot and how to stop it.
export interface RunningBot {
  userId: string;
  stop(): Promise<void>;
}

// Starts serving commands; resolves once the first sync is under way.
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const token = readAccessToken(config.matrix);
  if ("problem" in token) throw new Error(token.problem);
  registerSecret(token.token);
  routeSdkLogs(log);
  const db = openDatabase(config.storage.path);
  const storage = createSqliteStorageProvider(createKvStore(db));
  const audit = createAuditLog(db);
  const processed = createProcessedEvents(db);
  const client = new MagiMatrixClient(config.matrix.homeserver_url, token.token, storage);
  const userId = await waitForHomeserver(client, log);
  if (userId !== config.matrix.user_id) {
    throw new Error(`matrix.user_id is ${config.matrix.user_id}, but the access token belongs to ${userId}`);
  }
  const resolveLevel = createLevelResolver(config.access);
  const rooms = await createRoomDirectory(client, config.rooms, log);
  const onInvite = createInviteHandler({ client, rooms, adminDms: config.admin_dms, resolveLevel, log });
  processed.pruneBefore(Date.now() - PROCESSED_RETENTION_MS);
  await bootstrapSync(client, storage, onInvite, log);
  for (const roomId of rooms.roomIds()) {
    await client.joinRoom(roomId).catch((e: Error) => log.warn({ roomId, err: e.message }, "cannot join configured room yet; waiting for an invite"));
    if (await isEncrypted(client, roomId)) log.error({ roomId }, "configured room uses end-to-end encryption, which this build of magi does not support; commands there are ignored");
  }
  const hosts = Object.entries(config.hosts).map(([name, h]) => ({ name, address: h.address, tags: h.tags }));
  const contextFor = (caller: CommandContext["caller"]): CommandContext => ({
    caller, prefix: config.matrix.command_prefix, commands: COMMANDS, hosts, audit, now: () => Date.now(),
  });
  const intake = createIntake({
    botUserId: userId,
    prefix: config.matrix.command_prefix,
    maxAgeMs: config.intake.max_command_age_seconds * 1000,
    adminDms: config.admin_dms,
    rooms,
    resolveLevel,
    isDirectRoom: createDirectRoomCheck(client, userId),
    joinTimes: createJoinTimes(client, userId),
    processed,
    audit,
    reply: createReplyPort(client, log),
    commandContext: contextFor,
    log,
    now: () => Date.now(),
  });
  client.onAwaited("room.event", intake.handleRoomEvent);
  client.onAwaited("room.invite", onInvite);
  await client.start(SYNC_FILTER);
  log.info({ userId, rooms: rooms.roomIds() }, "magi is ready");
  return {
    userId,
    stop: async () => {
      client.stop();
      await intake.drain();
      db.close();
    },
  };
}
