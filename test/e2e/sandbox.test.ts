// `npm start` with no config: the sandbox brings up Synapse, a demo admin, a room, a demo host and magi, and says how to talk to it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TestUser } from "./harness/matrix-user.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

function startSandbox(dir: string): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["bot/bin.mjs", "run"], { cwd: REPO, env: { ...process.env, MAGI_SANDBOX_DIR: dir, MAGI_CONFIG: "" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("[sandbox]   stop:")) resolve(stderr);
    });
    void exited.then(() => reject(new Error(`sandbox exited early:\n${stderr}`)));
  });
  return { child, ready, exited };
}

describe("sandbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-sandbox-"));
  let running: ReturnType<typeof startSandbox> | undefined;

  afterAll(async () => {
    running?.child.kill("SIGINT");
    await running?.exited;
  });

  it("starts everything with no config, prints how to talk to it, and magi answers the demo admin", async () => {
    running = startSandbox(dir);
    const banner = await running.ready;
    expect(banner).toContain("talk to magi:   npm run chat");
    expect(banner).toMatch(/demo host: sshd on 127\.0\.0\.1:\d+, host key pinned/);
    const state = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    const demo = new TestUser(state.homeserverUrl, state.demo.userId, state.demo.accessToken);
    const who = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!whoami"));
    expect(who.content.body).toBe("You are @demo:localhost, level 4 (admin) in this room.");
    const hosts = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!hosts"));
    expect(hosts.content.body).toMatch(/demo\s+127\.0\.0\.1\s+@sandbox/);
    // The demo host is this machine, reached over a pinned SSH key: status shows what applies to a non-NixOS host.
    const status = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!status demo"));
    expect(status.content.body).toMatch(/^demo: \w+/);
    expect(status.content.body).toContain("NixOS: not NixOS");
    expect(status.content.body).toMatch(/uptime: \d/);
  });

  it("stops cleanly on Ctrl-C and keeps its state for the next start", async () => {
    const first = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    running!.child.kill("SIGINT");
    expect(await running!.exited).toBe(0);
    running = startSandbox(dir);
    await running.ready;
    const state = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    expect(state.roomId).toBe(first.roomId);
    const demo = new TestUser(state.homeserverUrl, state.demo.userId, state.demo.accessToken);
    const pong = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!ping"));
    expect(pong.content.body).toBe("pong");
  });
});
