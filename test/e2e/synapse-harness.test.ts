// Proves the Synapse harness: users, an appservice ghost that posts like mautrix-slack, per-user 429s, restarts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerGhost, writeAppserviceRegistration } from "../../bot/synapse/appservice.ts";
import { loginUser, overrideRatelimit, registerUser, type MatrixSession } from "../../bot/synapse/register-user.ts";
import { startSynapse, type RunningSynapse } from "../../bot/synapse/start-synapse.ts";

const GHOST = "slack_t0123abcd-u0456";

async function mx<T>(hs: RunningSynapse, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${hs.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

describe("synapse harness", () => {
  let dir: string;
  let hs: RunningSynapse;
  let asToken: string;
  let alice: MatrixSession;
  let bob: MatrixSession;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "magi-synapse-"));
    const registration = join(dir, "slack-registration.yaml");
    ({ asToken } = writeAppserviceRegistration(registration, { id: "slack", senderLocalpart: "slackbot", userRegex: "@slack_.*:localhost" }));
    const started = Date.now();
    hs = await startSynapse({ dataDir: join(dir, "synapse"), appserviceFiles: [registration] });
    console.log(`synapse first start: ${Date.now() - started} ms`);
    alice = await registerUser(hs, { username: "alice", password: "alice-pw", admin: true });
    bob = await registerUser(hs, { username: "bob", password: "bob-pw" });
  });

  afterAll(async () => {
    await hs?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("registers users with the shared secret", () => {
    expect(alice.userId).toBe("@alice:localhost");
    expect(bob.userId).toBe("@bob:localhost");
    expect(alice.accessToken).not.toBe("");
  });

  it("lets an appservice ghost post into a room a user invited it to", async () => {
    const ghostId = await registerGhost(hs.baseUrl, asToken, GHOST);
    expect(ghostId).toBe(`@${GHOST}:localhost`);
    expect(await registerGhost(hs.baseUrl, asToken, GHOST)).toBe(ghostId);

    const { json: room } = await mx<{ room_id: string }>(hs, alice.accessToken, "POST", "/createRoom", { preset: "private_chat" });
    const roomPath = `/rooms/${encodeURIComponent(room.room_id)}`;
    expect((await mx(hs, alice.accessToken, "POST", `${roomPath}/invite`, { user_id: ghostId })).status).toBe(200);
    const asGhost = `user_id=${encodeURIComponent(ghostId)}`;
    expect((await mx(hs, asToken, "POST", `/join/${encodeURIComponent(room.room_id)}?${asGhost}`, {})).status).toBe(200);
    const sent = await mx<{ event_id: string }>(hs, asToken, "PUT", `${roomPath}/send/m.room.message/txn1?${asGhost}`, {
      msgtype: "m.text",
      body: "!status web1",
    });
    expect(sent.status).toBe(200);

    type Messages = { chunk: { event_id: string; sender: string; type: string; content: { body?: string } }[] };
    const { json } = await mx<Messages>(hs, alice.accessToken, "GET", `${roomPath}/messages?dir=b&limit=20`);
    const message = json.chunk.find((e) => e.event_id === sent.json.event_id);
    expect(message?.sender).toBe(ghostId);
    expect(message?.content.body).toBe("!status web1");
  });

  it("makes one user hit 429 after overrideRatelimit while the server stays relaxed", async () => {
    await overrideRatelimit(hs.baseUrl, alice.accessToken, bob.userId, { messagesPerSecond: 1, burstCount: 2 });
    const { json: room } = await mx<{ room_id: string }>(hs, bob.accessToken, "POST", "/createRoom", {});
    // Stop at the first 429: Synapse holds each rejected request for 0.5 s before answering.
    let limited: { status: number; json: { errcode?: string } } | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const path = `/rooms/${encodeURIComponent(room.room_id)}/send/m.room.message/burst${i}`;
      const r = await mx<{ errcode?: string }>(hs, bob.accessToken, "PUT", path, { msgtype: "m.text", body: `burst ${i}` });
      if (r.status !== 200) limited = r;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.json.errcode).toBe("M_LIMIT_EXCEEDED");
    // Alice has no override, so the relaxed global limits still apply to her.
    const { json: aliceRoom } = await mx<{ room_id: string }>(hs, alice.accessToken, "POST", "/createRoom", {});
    for (let i = 0; i < 20; i++) {
      const path = `/rooms/${encodeURIComponent(aliceRoom.room_id)}/send/m.room.message/fast${i}`;
      expect((await mx(hs, alice.accessToken, "PUT", path, { msgtype: "m.text", body: `fast ${i}` })).status).toBe(200);
    }
  });

  it("restarts on the same data dir with a new port and keeps its users", async () => {
    const { port: oldPort, sharedSecret } = hs;
    await hs.stop();
    const started = Date.now();
    hs = await startSynapse({ dataDir: hs.dataDir, appserviceFiles: [join(dir, "slack-registration.yaml")] });
    console.log(`synapse restart: ${Date.now() - started} ms`);
    expect(hs.port).not.toBe(oldPort);
    expect(hs.sharedSecret).toBe(sharedSecret);
    const again = await loginUser(hs.baseUrl, "bob", "bob-pw");
    expect(again.userId).toBe(bob.userId);
  });
});
