// First run of the sandbox: users, a room with them in it; later runs add what older sandboxes lack.
import { randomBytes } from "node:crypto";
import { loginUser, registerUser } from "../synapse/register-user.ts";
import type { RunningSynapse } from "../synapse/start-synapse.ts";
import type { SandboxState } from "./sandbox-state.ts";

async function call(baseUrl: string, token: string, method: string, path: string, body: object): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
  return response.json();
}

// Creates ritsuko, the second person (a deployer, so she can approve demo's deploys), and brings her
// into the room. Through the admin API as demo (a Synapse admin), which also resets her password if
// she exists, so a state file that lost her (or predates her) is mended rather than stuck.
export async function addRitsuko(hs: RunningSynapse, state: SandboxState): Promise<SandboxState> {
  const password = randomBytes(6).toString("hex");
  const userId = `@ritsuko:${state.demo.userId.slice(state.demo.userId.indexOf(":") + 1)}`;
  const admin = state.demo.accessToken ?? (await loginUser(hs.baseUrl, "demo", state.demo.password!)).accessToken;
  await call(hs.baseUrl, admin, "PUT", `/_synapse/admin/v2/users/${encodeURIComponent(userId)}`, { password, admin: false });
  const ritsuko = await loginUser(hs.baseUrl, "ritsuko", password);
  const room = encodeURIComponent(state.roomId);
  await call(hs.baseUrl, admin, "POST", `/_matrix/client/v3/rooms/${room}/invite`, { user_id: userId }).catch(() => undefined);
  await call(hs.baseUrl, ritsuko.accessToken, "POST", `/_matrix/client/v3/join/${room}`, {});
  return { ...state, ritsuko: { userId, password, accessToken: ritsuko.accessToken } };
}

// Registers magi, the demo admin and ritsuko, creates the room (inviting magi), and returns the new state.
export async function createSandbox(hs: RunningSynapse): Promise<SandboxState> {
  const botPassword = randomBytes(12).toString("hex");
  const demoPassword = randomBytes(6).toString("hex");
  const bot = await registerUser(hs, { username: "magi", password: botPassword });
  const demo = await registerUser(hs, { username: "demo", password: demoPassword, admin: true });
  const room = (await call(hs.baseUrl, demo.accessToken, "POST", "/_matrix/client/v3/createRoom", {
    name: "magi sandbox", room_alias_name: "magi-sandbox", preset: "private_chat", invite: [bot.userId],
  })) as { room_id: string };
  const state: SandboxState = {
    homeserverUrl: hs.baseUrl,
    port: hs.port,
    roomId: room.room_id,
    bot: { userId: bot.userId, password: botPassword },
    demo: { userId: demo.userId, password: demoPassword, accessToken: demo.accessToken },
    demoHosts: {},
  };
  return addRitsuko(hs, state);
}
