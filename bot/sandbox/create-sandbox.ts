// First run of the sandbox: users, a room with them in it; later runs add what older sandboxes lack.
import { randomBytes } from "node:crypto";
import { registerUser } from "../synapse/register-user.ts";
import type { RunningSynapse } from "../synapse/start-synapse.ts";
import type { SandboxState } from "./sandbox-state.ts";

async function post(baseUrl: string, token: string, path: string, body: object): Promise<unknown> {
  const response = await fetch(`${baseUrl}/_matrix/client/v3${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path} failed: ${response.status} ${await response.text()}`);
  return response.json();
}

// Registers ritsuko, the second person (a deployer, so she can approve demo's deploys), and brings her into the room.
export async function addRitsuko(hs: RunningSynapse, state: SandboxState): Promise<SandboxState> {
  const password = randomBytes(6).toString("hex");
  const ritsuko = await registerUser(hs, { username: "ritsuko", password });
  await post(hs.baseUrl, state.demo.accessToken!, `/rooms/${encodeURIComponent(state.roomId)}/invite`, { user_id: ritsuko.userId });
  await post(hs.baseUrl, ritsuko.accessToken, `/join/${encodeURIComponent(state.roomId)}`, {});
  return { ...state, ritsuko: { userId: ritsuko.userId, password, accessToken: ritsuko.accessToken } };
}

// Registers magi, the demo admin and ritsuko, creates the room (inviting magi), and returns the new state.
export async function createSandbox(hs: RunningSynapse): Promise<SandboxState> {
  const botPassword = randomBytes(12).toString("hex");
  const demoPassword = randomBytes(6).toString("hex");
  const bot = await registerUser(hs, { username: "magi", password: botPassword });
  const demo = await registerUser(hs, { username: "demo", password: demoPassword, admin: true });
  const room = (await post(hs.baseUrl, demo.accessToken, "/createRoom", {
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
