// First run of the sandbox: users, a room with both in it, a token file and a config for the bot.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loginUser, registerUser } from "../synapse/register-user.ts";
import type { RunningSynapse } from "../synapse/start-synapse.ts";
import type { SandboxState } from "./sandbox-state.ts";
import type { DemoHost } from "./start-demo-host.ts";

async function createRoom(baseUrl: string, token: string, invite: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3/createRoom`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "magi sandbox", room_alias_name: "magi-sandbox", preset: "private_chat", invite: [invite] }),
  });
  if (!response.ok) throw new Error(`createRoom failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { room_id: string }).room_id;
}

// Registers magi and the demo admin, creates the room (inviting magi), and returns the new state.
export async function createSandbox(hs: RunningSynapse): Promise<SandboxState> {
  const botPassword = randomBytes(12).toString("hex");
  const demoPassword = randomBytes(6).toString("hex");
  const bot = await registerUser(hs, { username: "magi", password: botPassword });
  const demo = await registerUser(hs, { username: "demo", password: demoPassword, admin: true });
  const roomId = await createRoom(hs.baseUrl, demo.accessToken, bot.userId);
  return {
    homeserverUrl: hs.baseUrl,
    port: hs.port,
    roomId,
    bot: { userId: bot.userId, password: botPassword },
    demo: { userId: demo.userId, password: demoPassword, accessToken: demo.accessToken },
  };
}

// Logs magi in afresh (each start gets its own device) and writes its token file and config.
export async function writeSandboxConfig(dir: string, state: SandboxState, demo?: DemoHost): Promise<string> {
  const session = await loginUser(state.homeserverUrl, "magi", state.bot.password);
  writeFileSync(join(dir, "magi-token"), session.accessToken + "\n", { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: state.homeserverUrl, user_id: state.bot.userId, access_token_file: "magi-token" },
    storage: { path: "magi.sqlite" },
    access: { users: { [state.demo.userId]: "admin" } },
    rooms: { [state.roomId]: { reply_msgtype: "m.text" } },
    admin_dms: true,
    hosts: demo
      ? { demo: { address: "127.0.0.1", tags: ["sandbox"], ssh: { port: demo.port, user: demo.user, identity_file: demo.clientKeyPath, host_key: demo.hostKeyLine } } }
      : {},
  };
  const path = join(dir, "config.yaml");
  writeFileSync(path, "# Written by the magi sandbox on every start; edit config.example.yaml-style settings in a copy.\n" + stringify(config));
  return path;
}
