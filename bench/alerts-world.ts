// Sets up the alerts benchmark's world on loopback: a throwaway Synapse (rate limits relaxed, as the e2e tests run it),
// a room with magi in it, magi serving its HTTP intake with one Alertmanager route into that room, and the floor, a
// bare Fastify server, as its own process.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { findFreePort, startSynapse, type RunningSynapse } from "../bot/synapse/start-synapse.ts";
import { registerUser } from "../bot/synapse/register-user.ts";
import { startBotProcess, type BotProcess } from "../test/e2e/harness/bot-process.ts";
import { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { startFloorProcess, stopBenchWorld } from "./floor-process.ts";

const BARE_INTAKE = new URL("./bare-intake.ts", import.meta.url).pathname;

// The route's bearer token; the floor takes any.
export const ROUTE_TOKEN = "bench-alerts-token";

// Everything the benchmark started, for measuring and for cleaning up.
export interface AlertsWorld {
  dir: string;
  synapse?: RunningSynapse;
  owner?: TestUser;
  botUserId?: string;
  roomId?: string;
  magi?: BotProcess;
  magiUrl?: string;
  bare?: ChildProcess;
  bareUrl?: string;
}

// Starts the floor and resolves with its route URL once it prints where it listens.
async function startBareIntake(): Promise<{ child: ChildProcess; url: string }> {
  const { child, line } = await startFloorProcess("the bare intake", BARE_INTAKE, [], () => true);
  return { child, url: `${line}/alertmanager/ops` };
}

// Fills world step by step, so a failure part-way still leaves everything started in it for stopAlertsWorld.
export async function startAlertsWorld(world: AlertsWorld): Promise<void> {
  world.synapse = await startSynapse({ dataDir: join(world.dir, "synapse") });
  const hs = world.synapse;
  const owner = await registerUser(hs, { username: "owner-bench", password: "bench-password" });
  const bot = await registerUser(hs, { username: "magi-bench", password: "bench-password" });
  world.owner = new TestUser(hs.baseUrl, owner.userId, owner.accessToken);
  world.botUserId = bot.userId;
  world.roomId = await world.owner.createRoom([bot.userId]);
  await new TestUser(hs.baseUrl, bot.userId, bot.accessToken).join(world.roomId);
  const port = await findFreePort();
  world.magiUrl = `http://127.0.0.1:${port}/alertmanager/ops`;
  writeFileSync(join(world.dir, "token"), `${bot.accessToken}\n`, { mode: 0o600 });
  writeFileSync(join(world.dir, "route-token"), `${ROUTE_TOKEN}\n`, { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: hs.baseUrl, user_id: bot.userId, access_token_file: "token" },
    storage: { path: "magi.sqlite" },
    access: { users: { [owner.userId]: "admin" } },
    rooms: { [world.roomId]: {} },
    http: { listen: `127.0.0.1:${port}`, credentials_file: "route-token" },
    alerts: { routes: { ops: { room: world.roomId, credentials_file: "route-token" } } },
  };
  writeFileSync(join(world.dir, "config.yaml"), stringify(config));
  world.magi = await startBotProcess(join(world.dir, "config.yaml"), { MAGI_LOG_LEVEL: "info" });
  const bare = await startBareIntake();
  world.bare = bare.child;
  world.bareUrl = bare.url;
}

// Stops whatever was started, never throwing.
export const stopAlertsWorld = (world: AlertsWorld): Promise<void> => stopBenchWorld(world);
