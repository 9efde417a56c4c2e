// Config reload (SIGHUP, `magi reload`) and a clean stop (SIGTERM) of a real magi, with real Synapse and a real sshd host.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, latestBody, waitForBody } from "./harness/test-hosts.ts";
import { startUdpListener, type UdpListener } from "./harness/wake-helpers.ts";
import { waitUntil } from "../wait-until.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const MAC = "52:54:00:12:34:57";
const jobIdOf = (body: string) => Number(/^job (\d+) /.exec(body)?.[1]);
const localpart = (userId: string) => userId.slice(1).split(":")[0];

// Runs `magi reload --config FILE` as an operator would.
function runReload(configPath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bot/bin.mjs", "reload", "--config", configPath], { cwd: REPO }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("config reload and a clean stop", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-reload-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let nas: TestSshd;
  let udp: UdpListener;
  let ann: TestUser;

  // Edits the config file magi runs with, as an operator would.
  function editConfig(edit: (config: Record<string, any>) => void): void {
    const config = parse(readFileSync(fx.configPath, "utf8")) as Record<string, any>;
    edit(config);
    writeFileSync(fx.configPath, stringify(config));
  }

  async function ask(user: TestUser, text: string, roomId = fx.roomId): Promise<string> {
    return String((await user.waitForReply(roomId, await user.say(roomId, text))).content.body);
  }

  // Starts !wake nas with nas not answering, and returns the job message once the job runs.
  async function startWake(): Promise<{ messageId: string; jobId: number }> {
    nas.pause();
    const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!wake nas"));
    await waitForBody(fx.admin, fx.roomId, reply.event_id, /waiting for ssh/);
    return { messageId: reply.event_id, jobId: jobIdOf(String(reply.content.body)) };
  }

  function checkIntegrity(): { state: string }[] {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      expect(db.pragma("integrity_check")).toEqual([{ integrity_check: "ok" }]);
      return db.prepare("SELECT state FROM jobs ORDER BY id").all() as { state: string }[];
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    udp = await startUdpListener("127.0.0.1");
    nas = await startSshd({ dir, name: "nas" });
    fx = await createMagiFixture("reload");
    ann = await fx.newUser("ann");
    fx.config.hosts = { nas: hostConfigFor(nas, { mac: MAC, wake: { broadcast: "127.0.0.1", port: udp.port, timeout_seconds: 120 } }) };
    bot = await fx.start();
  });

  afterAll(async () => {
    nas?.resume();
    await bot?.stop();
    await nas?.stop();
    udp?.close();
  });

  it("SIGHUP applies a new host, a user's new level and a new room, with no restart and a job in flight unaffected", async () => {
    const pid = bot.child.pid!;
    expect(await ask(ann, "!hosts")).toBe("!hosts needs level 1 (communication); you have 0 (unknown).");
    const wake = await startWake();
    const room2 = await fx.admin.createRoom();
    editConfig((config) => {
      config.hosts.vps = { address: "vps.example.org", tags: ["edge"] };
      // The running wake keeps the entry it started with: this address would never answer.
      config.hosts.nas.address = "127.0.0.2";
      config.access.users[ann.userId] = "communication";
      config.rooms[room2] = {};
    });
    process.kill(pid, "SIGHUP");
    const reloaded = await bot.waitForLog((l) => l.msg === "config reloaded");
    expect([...reloaded.changed].sort()).toEqual(["access", "hosts", "rooms"]);
    expect(reloaded.waitingForRestart).toEqual([]);

    const hosts = await ask(ann, "!hosts");
    expect(hosts).toMatch(/^nas\s+127\.0\.0\.2\s/m);
    expect(hosts).toMatch(/^vps\s+vps\.example\.org\s+@edge\s/m);

    // The new room is served: magi accepts the invite (it declined rooms not in its config) and answers there.
    await fx.admin.invite(room2, fx.botUserId);
    await bot.waitForLog((l) => l.msg === "joined room on invite" && l.roomId === room2);
    expect(await ask(fx.admin, "!ping", room2)).toBe("pong");

    nas.resume();
    expect(await waitForBody(fx.admin, fx.roomId, wake.messageId, /succeeded|failed/, 60_000)).toMatch(new RegExp(`^job ${wake.jobId} · wake nas · succeeded after \\d+ s: nas is up after \\d+ s$`));
    expect(bot.child.pid).toBe(pid);
    expect(bot.child.exitCode).toBeNull();
    expect(bot.logs.filter((l) => l.msg === "magi is ready")).toHaveLength(1);
  });

  it("refuses a broken config: magi reload names the problem and sends nothing; on SIGHUP magi logs it and keeps the running config", async () => {
    editConfig((config) => {
      config.hosts.vps.address = "not an address!";
      config.hosts.kaji = { address: "kaji.lan" };
    });
    const cli = await runReload(fx.configPath);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("hosts.vps.address: expected a host name or IP address");
    expect(cli.stderr).toContain(`magi reload: not sent, 1 problem in ${fx.configPath}; magi keeps the config it runs with`);

    process.kill(bot.child.pid!, "SIGHUP");
    const refused = await bot.waitForLog((l) => l.msg === "config reload refused; magi keeps running with the config it has");
    expect(refused.problems).toEqual([expect.stringContaining("hosts.vps.address: expected a host name or IP address")]);
    const hosts = await ask(ann, "!hosts");
    expect(hosts).toMatch(/^vps\s+vps\.example\.org\s/m);
    expect(hosts).not.toMatch(/^kaji\s/m);
  });

  it("magi reload signals the running magi, which applies the fixed file", async () => {
    editConfig((config) => {
      config.hosts.vps.address = "vps2.example.org";
      config.access.users[ann.userId] = "unknown";
    });
    const before = bot.logs.filter((l) => l.msg === "config reloaded").length;
    const cli = await runReload(fx.configPath);
    expect(cli).toMatchObject({ code: 0, stderr: "" });
    expect(cli.stdout).toBe(`magi reload: asked magi (pid ${bot.child.pid}) to read ${fx.configPath} again; its log says what changed, or why it kept the running config\n`);
    await waitUntil("a second reload", async () => bot.logs.filter((l) => l.msg === "config reloaded").length > before);
    expect(await ask(fx.admin, "!hosts")).toMatch(/^kaji\s+kaji\.lan\s/m);
    expect(await ask(ann, "!hosts")).toBe("!hosts needs level 1 (communication); you have 0 (unknown).");
  });

  it("SIGTERM with a job running: the job ends within the grace, magi exits 0, and the database is sound", async () => {
    // Back to the file the fixture writes (nas at its real address).
    await bot.stop();
    bot = await fx.start();
    const wake = await startWake();
    const exited = bot.stop();
    await bot.waitForLog((l) => l.msg === "stopping: no new commands; waiting for running jobs to end");
    await new Promise((r) => setTimeout(r, 1000));
    nas.resume();
    expect(await exited).toBe(0);
    expect(latestBody(await fx.admin.timeline(fx.roomId, 200), wake.messageId)).toMatch(new RegExp(`^job ${wake.jobId} · wake nas · succeeded after \\d+ s`));
    expect(checkIntegrity().at(-1)).toEqual({ state: "succeeded" });
    expect(bot.logs.find((l) => l.msg === "magi stopped")).toMatchObject({ unsent: 0 });
  });

  it("SIGTERM past the grace: the job is interrupted and the room told, magi exits 0, and a restart does not report it again", async () => {
    fx.config.jobs = { stop_grace_seconds: 2 };
    bot = await fx.start();
    const wake = await startWake();
    const startedStop = Date.now();
    expect(await bot.stop()).toBe(0);
    expect(Date.now() - startedStop).toBeLessThan(15_000);
    const notice = await fx.admin.waitFor(fx.roomId, (e) => String(e.content.body).includes("wake nas interrupted"));
    expect(notice.content.body).toMatch(new RegExp(`^${localpart(fx.admin.userId)}: wake nas interrupted after \\d+ s: magi stopped before it ended \\(grace 2 s\\); check nas and start it again if it is still needed; .+ — !log ${wake.jobId}$`));
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [fx.admin.userId] });
    expect(latestBody(await fx.admin.timeline(fx.roomId, 200), wake.messageId)).toMatch(new RegExp(`^job ${wake.jobId} · wake nas · interrupted`));
    expect(checkIntegrity().at(-1)).toEqual({ state: "interrupted" });

    nas.resume();
    bot = await fx.start();
    expect(await ask(fx.admin, "!whoami")).toContain(fx.admin.userId);
    const restartNotices = (await fx.admin.timeline(fx.roomId, 200)).filter((e) => String(e.content.body).includes(`job ${wake.jobId} (wake nas) was interrupted`));
    expect(restartNotices).toEqual([]);
  });
});
