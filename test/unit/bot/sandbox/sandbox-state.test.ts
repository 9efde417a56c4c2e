// The sandbox's state file, read through one schema by the sandbox and by `magi chat --as`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSession } from "../../../../bot/chat/chat-session.ts";
import { readSandboxState } from "../../../../bot/sandbox/sandbox-state.ts";

// What a sandbox from before the demo fleet wrote: one demo host port, no ritsuko.
const OLD = {
  homeserverUrl: "http://127.0.0.1:8448",
  port: 8448,
  demoHostPort: 2222,
  roomId: "!room:localhost",
  bot: { userId: "@magi:localhost", password: "b" },
  demo: { userId: "@demo:localhost", password: "d", accessToken: "tok-demo" },
};

function sandboxWith(state: object | string): string {
  const dir = mkdtempSync(join(tmpdir(), "magi-state-"));
  writeFileSync(join(dir, "sandbox.json"), typeof state === "string" ? state : JSON.stringify(state));
  return dir;
}

describe("sandbox state", () => {
  it("reads an old state file: its demo host port carries over and ritsuko is missing (the sandbox adds her)", () => {
    const state = readSandboxState(sandboxWith(OLD))!;
    expect(state.demoHosts).toEqual({ demo: 2222 });
    expect(state.ritsuko).toBeUndefined();
    expect(state).not.toHaveProperty("demoHostPort");
  });

  it("says which field is wrong instead of crashing on a broken file", () => {
    expect(() => readSandboxState(sandboxWith({ ...OLD, roomId: "room" }))).toThrow(/sandbox\.json is not a sandbox state file magi understands \(roomId: .*"!"/);
    expect(() => readSandboxState(sandboxWith("{"))).toThrow(/sandbox\.json is not valid JSON; delete it/);
  });
});

describe("magi chat --as", () => {
  const ritsuko = { userId: "@ritsuko:localhost", password: "r", accessToken: "tok-ritsuko" };

  it("logs in as the demo admin by default and as ritsuko with --as ritsuko", () => {
    const dir = sandboxWith({ ...OLD, ritsuko, demoHosts: { demo: 1, misato: 2, kaji: 3 } });
    expect(resolveSession(["--sandbox", dir], {})).toEqual({ ok: true, session: { homeserverUrl: OLD.homeserverUrl, roomId: OLD.roomId, userId: "@demo:localhost", accessToken: "tok-demo", password: "d" } });
    expect(resolveSession(["--sandbox", dir, "--as", "ritsuko"], {})).toEqual({ ok: true, session: { homeserverUrl: OLD.homeserverUrl, roomId: OLD.roomId, userId: "@ritsuko:localhost", accessToken: "tok-ritsuko", password: "r" } });
  });

  it("refuses an unknown user, and ritsuko in a sandbox that has not added her yet", () => {
    expect(resolveSession(["--sandbox", sandboxWith(OLD), "--as", "gendo"], {})).toEqual({ ok: false, code: 2, message: "--as gendo: the sandbox's users are demo and ritsuko" });
    const old = sandboxWith(OLD);
    expect(resolveSession(["--sandbox", old, "--as", "ritsuko"], {})).toEqual({ ok: false, code: 1, message: `${join(old, "sandbox.json")} has no user ritsuko yet: restart the sandbox with \`npm start\`, which adds them` });
  });
});
