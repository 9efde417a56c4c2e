// Sets up the fan-out benchmark's world on loopback: Synapse, slow NixOS-like sshd hosts, a room, and a magi process.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { registerUser } from "../bot/synapse/register-user.ts";
import { startSynapse, type RunningSynapse } from "../bot/synapse/start-synapse.ts";
import { startBotProcess, type BotProcess } from "../test/e2e/harness/bot-process.ts";
import { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { startSshd, type TestSshd } from "../test/e2e/harness/sshd.ts";

const FAKES = fileURLToPath(new URL("../test/fakes/nixos", import.meta.url));
const SYSTEM = (host: string) => `/nix/store/0c6kzph7l0dcbfmjap64f0czdafn3b7x-nixos-system-${host}-24.11.20241201.abcdef0`;

// magi's per-host status deadline here; the floor gives the probe script the same watchdog.
export const STATUS_TIMEOUT_SECONDS = 10;

// Everything the benchmark started, for measuring and for cleaning up.
export interface Fleet {
  dir: string;
  hosts: TestSshd[];
  synapse?: RunningSynapse;
  bot?: BotProcess;
  admin?: TestUser;
  roomId?: string;
}

// Starts one slow NixOS-like host; HOME in its dir keeps root's ~/.bashrc (pyenv) out of every probe.
function startSlowHost(dir: string, name: string, delaySeconds: number): Promise<TestSshd> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const env = { MAGI_FAKE_DIR: home, HOME: home, MAGI_FAKE_DELAY: String(delaySeconds) };
  return startSshd({ dir, name, env, pathPrefix: FAKES, runLinks: { "current-system": SYSTEM(name), "booted-system": SYSTEM(name) } });
}

// Changes how long every fake tool on every host sleeps, without restarting anything.
export function setFakeDelay(fleet: Fleet, seconds: number): void {
  for (const h of fleet.hosts) writeFileSync(join(fleet.dir, h.name, "delay"), `${seconds}\n`);
}

// Fills fleet step by step, so a failure part-way still leaves everything started in it for stopFleet.
export async function startFleet(fleet: Fleet, count: number, delaySeconds: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `h${String(i + 1).padStart(2, "0")}`);
  const starting = names.map((n) => startSlowHost(fleet.dir, n, delaySeconds).then((h) => (fleet.hosts.push(h), h)));
  fleet.synapse = await startSynapse({ dataDir: join(fleet.dir, "synapse") });
  const hosts = await Promise.all(starting);
  const botUser = await registerUser(fleet.synapse, { username: "magi-bench", password: "bench-password" });
  const adminSession = await registerUser(fleet.synapse, { username: "admin-bench", password: "bench-password" });
  fleet.admin = new TestUser(fleet.synapse.baseUrl, adminSession.userId, adminSession.accessToken);
  fleet.roomId = await fleet.admin.createRoom([botUser.userId]);
  writeFileSync(join(fleet.dir, "token"), `${botUser.accessToken}\n`, { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: fleet.synapse.baseUrl, user_id: botUser.userId, access_token_file: "token" },
    storage: { path: "magi.sqlite" },
    access: { users: { [fleet.admin.userId]: "admin" } },
    rooms: { [fleet.roomId]: {} },
    hosts: Object.fromEntries(hosts.map((h) => [h.name, { address: h.address, ssh: { port: h.port, user: h.user, identity_file: h.clientKeyPath, host_key: h.hostKeyLine } }])),
    status: { timeout_seconds: STATUS_TIMEOUT_SECONDS, concurrency: count },
  };
  writeFileSync(join(fleet.dir, "config.yaml"), stringify(config));
  fleet.bot = await startBotProcess(join(fleet.dir, "config.yaml"), { MAGI_LOG_LEVEL: "info" });
}

// Stops whatever was started, never throwing.
export async function stopFleet(fleet: Fleet): Promise<void> {
  await fleet.bot?.stop().catch(() => fleet.bot?.kill());
  await Promise.allSettled(fleet.hosts.map((h) => h.stop()));
  await fleet.synapse?.stop().catch(() => {});
}
