// Sets up the ping benchmark's world on loopback: one Synapse, a client user, magi and the bare
// SDK bot each in a room of its own with the client, and no rate limit for anyone.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { overrideRatelimit, registerUser, type MatrixSession } from "../bot/synapse/register-user.ts";
import { startSynapse, type RunningSynapse } from "../bot/synapse/start-synapse.ts";
import { startBotProcess, type BotProcess } from "../test/e2e/harness/bot-process.ts";
import { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { startFloorProcess, stopBenchWorld } from "./floor-process.ts";

const BARE_BOT = new URL("./bare-bot.ts", import.meta.url).pathname;

// Everything the benchmark started, for measuring and for cleaning up.
export interface PingWorld {
  dir: string;
  synapse?: RunningSynapse;
  client?: MatrixSession;
  magi?: BotProcess;
  bare?: ChildProcess;
  magiRoom?: string;
  bareRoom?: string;
}

// Registers a bot user, makes a room with the client and joins it from the bot's side.
async function makeBotRoom(world: PingWorld, client: TestUser, username: string): Promise<{ bot: MatrixSession; roomId: string }> {
  const bot = await registerUser(world.synapse!, { username, password: "bench-password" });
  const roomId = await client.createRoom([bot.userId]);
  await new TestUser(world.synapse!.baseUrl, bot.userId, bot.accessToken).join(roomId);
  return { bot, roomId };
}

// Starts the bare bot as its own process and waits for its "ready" line.
async function startBareBot(baseUrl: string, token: string): Promise<ChildProcess> {
  return (await startFloorProcess("the bare bot", BARE_BOT, [baseUrl, token], (line) => line.includes("ready"))).child;
}

// Fills world step by step, so a failure part-way still leaves everything started in it for stopPingWorld.
export async function startPingWorld(world: PingWorld): Promise<void> {
  world.synapse = await startSynapse({ dataDir: join(world.dir, "synapse") });
  const hs = world.synapse;
  world.client = await registerUser(hs, { username: "client-bench", password: "bench-password", admin: true });
  const client = new TestUser(hs.baseUrl, world.client.userId, world.client.accessToken);
  const magi = await makeBotRoom(world, client, "magi-bench");
  const bare = await makeBotRoom(world, client, "bare-bench");
  for (const user of [world.client.userId, magi.bot.userId, bare.bot.userId]) {
    await overrideRatelimit(hs.baseUrl, world.client.accessToken, user, { messagesPerSecond: 0, burstCount: 0 });
  }
  world.magiRoom = magi.roomId;
  world.bareRoom = bare.roomId;
  writeFileSync(join(world.dir, "token"), `${magi.bot.accessToken}\n`, { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: hs.baseUrl, user_id: magi.bot.userId, access_token_file: "token" },
    storage: { path: "magi.sqlite" },
    access: { users: { [world.client.userId]: "admin" } },
    rooms: { [magi.roomId]: {} },
  };
  writeFileSync(join(world.dir, "config.yaml"), stringify(config));
  world.magi = await startBotProcess(join(world.dir, "config.yaml"), { MAGI_LOG_LEVEL: "info" });
  world.bare = await startBareBot(hs.baseUrl, bare.bot.accessToken);
}

// Stops whatever was started, never throwing.
export const stopPingWorld = (world: PingWorld): Promise<void> => stopBenchWorld(world);
