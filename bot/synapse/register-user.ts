// Creates and logs in Synapse users for the sandbox and the e2e tests.
import { createHmac } from "node:crypto";

// A logged-in Matrix user.
export interface MatrixSession {
  userId: string;
  accessToken: string;
  deviceId: string;
}

// Throws with Matrix's errcode in the message, since that's what a reader of a failed test needs.
async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { "content-type": "application/json", ...init.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface LoginResponse {
  user_id: string;
  access_token: string;
  device_id: string;
}

function toSession(r: LoginResponse): MatrixSession {
  return { userId: r.user_id, accessToken: r.access_token, deviceId: r.device_id };
}

// Registers a user through the shared-secret admin API, which works with registration closed.
export async function registerUser(
  hs: { baseUrl: string; sharedSecret: string },
  u: { username: string; password: string; admin?: boolean },
): Promise<MatrixSession> {
  const url = `${hs.baseUrl}/_synapse/admin/v1/register`;
  const { nonce } = await call<{ nonce: string }>(url, { method: "GET" });
  const admin = u.admin ?? false;
  const mac = createHmac("sha1", hs.sharedSecret)
    .update(`${nonce}\0${u.username}\0${u.password}\0${admin ? "admin" : "notadmin"}`)
    .digest("hex");
  const body = { nonce, username: u.username, password: u.password, admin, mac };
  return toSession(await call<LoginResponse>(url, { method: "POST", body: JSON.stringify(body) }));
}

// Logs in an existing user by password (a restarted sandbox keeps its users but not our tokens).
export async function loginUser(baseUrl: string, username: string, password: string): Promise<MatrixSession> {
  const body = { type: "m.login.password", identifier: { type: "m.id.user", user: username }, password };
  return toSession(await call<LoginResponse>(`${baseUrl}/_matrix/client/v3/login`, { method: "POST", body: JSON.stringify(body) }));
}

// Sets one user's message rate limit (0/0 means unlimited), so a test can provoke 429s while the server stays relaxed.
export async function overrideRatelimit(
  baseUrl: string,
  adminToken: string,
  userId: string,
  limits: { messagesPerSecond: number; burstCount: number },
): Promise<void> {
  // Synapse stores these as integers and answers 400 to 0.5/s, so slower-than-1/s can't be expressed here.
  if (!Number.isInteger(limits.messagesPerSecond) || !Number.isInteger(limits.burstCount)) {
    throw new Error(`override_ratelimit takes whole numbers, got ${JSON.stringify(limits)}`);
  }
  await call(`${baseUrl}/_synapse/admin/v1/users/${encodeURIComponent(userId)}/override_ratelimit`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ messages_per_second: limits.messagesPerSecond, burst_count: limits.burstCount }),
  });
}
