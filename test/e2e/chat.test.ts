// `magi chat` against a real Synapse: it shows what others post, sends what is typed, reacts by number, and exits cleanly.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerUser, type MatrixSession } from "../../bot/synapse/register-user.ts";

const REPO = resolve(import.meta.dirname, "../..");

interface Chat {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startChat(args: string[]): Chat {
  const child = spawn(process.execPath, ["bot/bin.mjs", "chat", ...args], { cwd: REPO, env: { ...process.env, MAGI_SANDBOX_DIR: "" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function mx<T>(hs: { baseUrl: string }, who: MatrixSession, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hs.baseUrl}/_matrix/client/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${who.accessToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

type Event = { event_id: string; type: string; sender: string; content: Record<string, any> };

describe("magi chat", () => {
  // The run's shared Synapse; the chat shows senders by localpart, so these names are what the tests look for.
  const hs = inject("synapse");
  const tag = randomBytes(3).toString("hex");
  const [ALICE, BOB] = [`alice-${tag}`, `bob-${tag}`];
  let dir: string;
  let alice: MatrixSession;
  let bob: MatrixSession;
  let roomId: string;
  let chat: Chat;
  let txn = 0;
  const roomPath = () => `/rooms/${encodeURIComponent(roomId)}`;
  const send = (who: MatrixSession, type: string, content: unknown) =>
    mx<{ event_id: string }>(hs, who, "PUT", `${roomPath()}/send/${type}/t${++txn}`, content).then((r) => r.event_id);
  const recent = (who: MatrixSession) => mx<{ chunk: Event[] }>(hs, who, "GET", `${roomPath()}/messages?dir=b&limit=30`).then((r) => r.chunk);
  const lineMatching = (re: RegExp) => () => chat.stdout().split("\n").find((l) => re.test(l));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "magi-chat-"));
    [alice, bob] = await Promise.all([registerUser(hs, { username: ALICE, password: "alice-pw" }), registerUser(hs, { username: BOB, password: "bob-pw" })]);
    roomId = (await mx<{ room_id: string }>(hs, alice, "POST", "/createRoom", { preset: "private_chat", invite: [bob.userId] })).room_id;
    await mx(hs, bob, "POST", `/join/${encodeURIComponent(roomId)}`, {});
    await send(alice, "m.room.message", { msgtype: "m.text", body: "said before the chat started" });
    const sandbox = {
      homeserverUrl: hs.baseUrl,
      roomId,
      bot: { userId: "@magi:localhost" },
      demo: { userId: alice.userId, password: "alice-pw", accessToken: alice.accessToken },
    };
    await writeFile(join(dir, "sandbox.json"), JSON.stringify(sandbox, null, 2));
    chat = startChat(["--sandbox", dir]);
    await eventually("the chat to go live", lineMatching(/── live ──/));
  });

  afterAll(async () => {
    if (chat && chat.child.exitCode === null) chat.child.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows recent history at startup, numbered", () => {
    expect(chat.stdout()).toMatch(new RegExp(`^\\[1\\] \\d\\d:\\d\\d:\\d\\d ${ALICE}: said before the chat started$`, "m"));
    expect(chat.stdout()).not.toContain(alice.accessToken);
  });

  let bobsEventId: string;
  let bobsNumber: number;

  it("prints another user's message with their name", async () => {
    bobsEventId = await send(bob, "m.room.message", { msgtype: "m.text", body: "hello from bob" });
    const line = await eventually("bob's message on stdout", lineMatching(new RegExp(`${BOB}: hello from bob$`)));
    expect(line).toMatch(new RegExp(`^\\[\\d+\\] \\d\\d:\\d\\d:\\d\\d ${BOB}: hello from bob$`));
    bobsNumber = Number(/^\[(\d+)\]/.exec(line)![1]);
  });

  it("sends a typed line to the room", async () => {
    chat.child.stdin.write("hi bob, alice here\n");
    const seen = await eventually("bob to see alice's line", async () =>
      (await recent(bob)).find((e) => e.sender === alice.userId && e.content.body === "hi bob, alice here"),
    );
    expect(seen.content.msgtype).toBe("m.text");
    await eventually("the echo on stdout", lineMatching(new RegExp(`${ALICE}: hi bob, alice here$`)));
  });

  it("reacts to a message by its number", async () => {
    chat.child.stdin.write(`/react ${bobsNumber} 👍\n`);
    const reaction = await eventually("alice's reaction", async () => (await recent(bob)).find((e) => e.type === "m.reaction" && e.sender === alice.userId));
    expect(reaction.content["m.relates_to"]).toEqual({ rel_type: "m.annotation", event_id: bobsEventId, key: "👍" });
    await eventually("the reaction on stdout", lineMatching(new RegExp(`${ALICE} reacted 👍 to \\[${bobsNumber}\\]$`)));
  });

  it("shows edits, withdrawals, multi-line bodies and command errors", async () => {
    await send(bob, "m.room.message", {
      msgtype: "m.text",
      body: "* hello again",
      "m.new_content": { msgtype: "m.text", body: "hello again" },
      "m.relates_to": { rel_type: "m.replace", event_id: bobsEventId },
    });
    await eventually("the edit", lineMatching(new RegExp(`✎ ${BOB} edited \\[${bobsNumber}\\]: hello again$`)));
    await send(bob, "m.room.message", { msgtype: "m.notice", body: "first line\nsecond line" });
    await eventually("the multi-line notice", () => (new RegExp(`${BOB}: first line\n +second line\n`).test(chat.stdout()) ? true : undefined));
    await mx(hs, bob, "PUT", `${roomPath()}/redact/${encodeURIComponent(bobsEventId)}/r${++txn}`, {});
    await eventually("the withdrawal", lineMatching(new RegExp(`${BOB} withdrew \\[${bobsNumber}\\]$`)));
    chat.child.stdin.write("/frobnicate\n");
    await eventually("the error for an unknown command", lineMatching(/unknown command \/frobnicate/));
  });

  it("exits with 0 when stdin ends", async () => {
    const started = Date.now();
    chat.child.stdin.end();
    expect(await chat.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("logs in with explicit flags and leaves on /quit", async () => {
    const other = startChat(["--homeserver", hs.baseUrl, "--user", bob.userId, "--password", "bob-pw", "--room", roomId]);
    await eventually("bob's chat to go live", () => (other.stdout().includes("── live ──") ? true : undefined));
    expect(other.stdout()).toContain(`magi chat: ${bob.userId} in ${roomId}`);
    other.child.stdin.write("/quit\n");
    expect(await other.exited).toBe(0);
  });

  it("tells the user to start the sandbox when there is none", async () => {
    const lonely = startChat(["--sandbox", join(dir, "nowhere")]);
    expect(await lonely.exited).toBe(1);
    expect(lonely.stderr()).toContain("npm start");
  });
});
