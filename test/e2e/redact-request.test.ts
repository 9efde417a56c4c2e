// Deleting a !deploy that waits for approval calls it off (issue 16 #4): through a real magi, Synapse, git repository and sshd host.
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";

describe("deleting a request that waits for approval", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-redact-"));
  const calls = join(dir, "fake", "calls");
  let misato: TestSshd;
  let fx: MagiFixture;
  let bot: BotProcess;
  let dep: TestUser;
  let ghost: TestUser;
  let head: string;

  const redact = (user: TestUser, eventId: string) => user.call("PUT", `/rooms/${encodeURIComponent(fx.roomId)}/redact/${encodeURIComponent(eventId)}/r${Date.now()}`, {});
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  const readDb = <T>(sql: string, ...params: unknown[]): T[] => {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  // Asks for a deploy of misato, deletes the command as `deleter`, then a deployer approves; returns the prompt's last text.
  async function deleteThenApprove(requester: TestUser, deleter: TestUser): Promise<{ command: string; prompt: string }> {
    const command = await requester.say(fx.roomId, "!deploy misato");
    const prompt = await requester.waitForReply(fx.roomId, command);
    expect(prompt.content.body).toMatch(/^⏳ deploy \(switch\) misato at /);
    await redact(deleter, command);
    const text = await bodyOf(prompt.event_id, /^🚫/);
    await ghost.react(fx.roomId, prompt.event_id, "👍");
    await bot.waitForLog((l) => l.msg === "reaction ignored" && l.voter === ghost.userId && l.why === "request already cancelled");
    return { command, prompt: text };
  }

  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    const repo = await createFlakeRepo(dir);
    head = await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("redact");
    dep = await fx.newUser("dep");
    ghost = await fx.ghost("slack_t0123abcd-u0rd1");
    Object.assign(fx.access.users, { [dep.userId]: "deployer" });
    fx.access.patterns.push({ glob: "@slack_t0123abcd-*:localhost", level: "deployer" });
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }) };
    fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 1, min_level: "deployer", expires_minutes: 15 }];
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${misato.pid}/root/run` });
  });

  afterAll(async () => {
    await bot?.stop();
    await misato?.stop();
  });

  it("calls it off when the requester deletes the command: a later 👍 runs nothing, the prompt and the audit say why", async () => {
    const { command, prompt } = await deleteThenApprove(dep, dep);
    expect(prompt).toBe(`🚫 deploy (switch) misato at ${head.slice(0, 12)} "bump nixpkgs": called off: the request was deleted by ${dep.userId}. Nothing was run.`);
    expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").toBe("");
    expect(readDb("SELECT id FROM jobs")).toEqual([]);
    expect(readDb("SELECT outcome FROM audit WHERE event_id = ?", command)).toEqual([{ outcome: `called off: the request was deleted by ${dep.userId} before approval; not run` }]);
  });

  it("calls it off when a room moderator deletes someone else's command", async () => {
    const { prompt } = await deleteThenApprove(dep, fx.admin);
    expect(prompt).toBe(`🚫 deploy (switch) misato at ${head.slice(0, 12)} "bump nixpkgs": called off: the request was deleted by ${fx.admin.userId}. Nothing was run.`);
    expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").toBe("");
    expect(readDb("SELECT id FROM jobs")).toEqual([]);
  });
});
