// The dead-man's switch end to end: real borgmatic (its healthchecks hook) backing up to a real borg repository, a real
// restic backup in a script that pings with curl, and a check nobody pings, all against magi as a real process posting
// to a real Synapse room. Needs borg, restic, curl and borgmatic (.ci/run installs them). Run alone:
// npx vitest run --project e2e test/e2e/checks.test.ts
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../bot/synapse/start-synapse.ts";
import { waitUntil } from "../wait-until.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TimelineEvent } from "./harness/matrix-user.ts";

const BORGMATIC = join(homedir(), ".cache", "magi", "borgmatic-venv", "bin", "borgmatic");
const TOOLS = [BORGMATIC, "/usr/bin/borg", "/usr/bin/restic", "/usr/bin/curl"];
const missing = TOOLS.filter((t) => !existsSync(t));
if (missing.length > 0 && process.env.CI === "true") throw new Error(`missing ${missing.join(", ")}; .ci/run installs borg, restic, curl and borgmatic`);
if (missing.length > 0) console.warn(`skipping the dead-man's-switch tests: ${missing.join(", ")} missing (run .ci/run)`);

const BORG_UUID = "3c1e5a7b-2d4f-4a6b-8c9d-0e1f2a3b4c5d";
const BROKEN_UUID = "4d2f6b8c-3e5a-4b7c-9d0e-1f2a3b4c5d6e";
const TICK_UUID = "5e3a7c9d-4f6b-4c8d-a0e1-2a3b4c5d6e7f";
const UNKNOWN_UUID = "6f4b8d0e-5a7c-4d9e-b1f2-3b4c5d6e7f80";
const PING_KEY = "pk-7d1c0b9e8f6a5d4c3b2a1f0e";

describe.skipIf(missing.length > 0)("dead-man's switch with real backup tools", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  let base: string;
  let port: number;

  beforeAll(async () => {
    fx = await createMagiFixture("checks");
    port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    writeFileSync(join(fx.dir, "health-token"), "health-token-0b1c2d\n", { mode: 0o600 });
    writeFileSync(join(fx.dir, "ping-key"), `${PING_KEY}\n`, { mode: 0o600 });
    fx.config.http = { listen: `127.0.0.1:${port}`, credentials_file: join(fx.dir, "health-token") };
    fx.config.pings = { key_file: join(fx.dir, "ping-key") };
    fx.config.checks = {
      tick: { uuid: TICK_UUID, schedule: "4s", grace: "6s", room: fx.roomId },
      "backup-borg": { uuid: BORG_UUID, schedule: "0 2 * * *", tz: "Europe/Berlin", grace: "1h", room: fx.roomId, hosts: [] },
      "backup-broken": { uuid: BROKEN_UUID, schedule: "1d", room: fx.roomId },
      "restic-nas": { slug: "restic-nas", schedule: "1d", room: fx.roomId },
    };
    bot = await fx.start();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
  });

  const botPosts = async () => (await fx.admin.timeline(fx.roomId)).filter((e) => e.sender === fx.botUserId && e.type === "m.room.message" && !e.content["m.relates_to"]);
  const postsStarting = async (prefix: string) => (await botPosts()).filter((e) => String(e.content.body).startsWith(prefix));
  const waitForPosts = (prefix: string, count: number, timeoutMs = 30_000) =>
    waitUntil(`${count} post(s) starting "${prefix}"`, async () => ((await postsStarting(prefix)).length >= count ? postsStarting(prefix) : undefined), { timeoutMs, intervalMs: 250 });
  const ask = async (command: string): Promise<TimelineEvent> => fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, command), 20_000);
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const pingRows = () => {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      return db.prepare("SELECT c.name, p.kind, p.exit_status AS exit, p.body FROM check_pings p JOIN checks c ON c.name = p.check_name ORDER BY p.id").all() as { name: string; kind: string; exit: number | null; body: Buffer }[];
    } finally {
      db.close();
    }
  };

  it("takes a check nobody pings late, then down once; a ping brings it up once", async () => {
    await waitUntil("!checks to show tick as late", async () => /tick +late /.test(String((await ask("!checks")).content.body)), { timeoutMs: 20_000, intervalMs: 500 });
    const [down] = await waitForPosts("tick is DOWN", 1);
    expect(down!.content.body).toMatch(/^tick is DOWN: no successful run yet \(watched since \w{3} \d\d:\d\d UTC; expected every 4 s, grace 6 s\)$/);
    await settle(3000);
    expect(await postsStarting("tick is DOWN")).toHaveLength(1);
    const r = await fetch(`${base}/ping/${TICK_UUID}`);
    expect([r.status, await r.text(), r.headers.get("ping-body-limit")]).toEqual([200, "OK", "100000"]);
    const [up] = await waitForPosts("tick is up again", 1);
    expect(up!.content.body).toBe("tick is up again.");
    await settle(2000);
    expect(await postsStarting("tick is up again")).toHaveLength(1);
  }, 60_000);

  it("posts a transition that fell due while magi was killed, exactly once after the restart", async () => {
    const pinged = Date.now();
    expect((await fetch(`${base}/ping/${TICK_UUID}/0`)).status).toBe(200);
    await bot.kill();
    // Down at ping + 4 s + 6 s; magi is dead across that deadline.
    await settle(pinged + 12_000 - Date.now());
    expect(await postsStarting("tick is DOWN")).toHaveLength(1);
    bot = await fx.start();
    const posts = await waitForPosts("tick is DOWN", 2);
    expect(posts[1]!.content.body).toMatch(/^tick is DOWN: no successful run since \w{3} \d\d:\d\d UTC \(expected every 4 s, grace 6 s\)$/);
    await settle(4000);
    expect(await postsStarting("tick is DOWN")).toHaveLength(2);
    expect(bot.logs.filter((l) => l.msg === "check transition posted" && l.check === "tick")).toHaveLength(1);
  }, 60_000);

  function writeBorgmatic(name: string, repo: string, uuid: string): string {
    const path = join(fx.dir, `${name}.yaml`);
    writeFileSync(path, stringify({
      source_directories: [join(fx.dir, "src")],
      repositories: [{ path: repo, label: "local" }],
      local_path: "/usr/bin/borg",
      healthchecks: { ping_url: `${base}/ping/${uuid}`, send_logs: true },
    }));
    return path;
  }
  const borgEnv = () => ({ ...process.env, BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: "yes", BORG_BASE_DIR: join(fx.dir, "borg-base"), BORG_PASSPHRASE: "" });

  it("shows a real borgmatic run as up with its duration, and its log in !check", async () => {
    mkdirSync(join(fx.dir, "src"), { recursive: true });
    writeFileSync(join(fx.dir, "src", "important.txt"), "the data\n");
    const repo = join(fx.dir, "borg-repo");
    execFileSync("/usr/bin/borg", ["init", "--encryption=none", repo], { env: borgEnv() });
    const run = spawnSync(BORGMATIC, ["-c", writeBorgmatic("borg-ok", repo, BORG_UUID), "create"], { env: borgEnv(), encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(pingRows().filter((p) => p.name === "backup-borg").map((p) => p.kind)).toEqual(["start", "log", "success"]);
    const list = String((await ask("!checks")).content.body);
    expect(list).toMatch(/\nbackup-borg +up +\d+ s ago +\d+ s +in (\d+ h( \d+ min)?|\d+ min( \d+ s)?)\n/);
    const commandId = await fx.admin.say(fx.roomId, "!check backup-borg");
    const reply = await fx.admin.waitForReply(fx.roomId, commandId, 20_000);
    expect(reply.content.body).toMatch(/^backup-borg: up\. Expected daily at 02:00 Europe\/Berlin, grace 1 h; next in (\d+ h( \d+ min)?|\d+ min( \d+ s)?); last ping \d+ s ago\.\nLast 3 pings, newest first; the newest body \(\d+ bytes, success at [\d-]+ [\d:]+ UTC\) follows as a file:\n```\ntime \(UTC\) +ping +run took +body\n[\d-]+ [\d:]+ +success +\d+ s +\d+ B\n[\d-]+ [\d:]+ +log +\d+ B\n[\d-]+ [\d:]+ +start *\n```$/);
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId);
    const log = (await fx.admin.download(String(file.content.url))).toString("utf8");
    expect(log).toContain("Creating archive at");
    expect(log).toBe(pingRows().filter((p) => p.name === "backup-borg").at(-1)!.body.toString("utf8"));
  }, 180_000);

  it("posts a failing borgmatic run (repository missing) once, with the log lines borgmatic sent", async () => {
    const run = spawnSync(BORGMATIC, ["-c", writeBorgmatic("borg-broken", join(fx.dir, "no-such-repo"), BROKEN_UUID), "create"], { env: borgEnv(), encoding: "utf8", timeout: 120_000 });
    expect(run.status).not.toBe(0);
    const [failed] = await waitForPosts("backup-broken failed", 1);
    const sent = pingRows().filter((p) => p.name === "backup-broken" && p.kind === "fail").at(-1)!.body.toString("utf8");
    const tail = sent.trimEnd().split("\n").slice(-10).join("\n");
    expect(failed!.content.body).toMatch(/^backup-broken failed after \d+ s:\n/);
    expect(failed!.content.body).toBe(`${failed!.content.body.split("\n")[0]}\n${tail}`);
    expect(failed!.content.formatted_body).toContain("<pre><code>");
    expect(tail).toContain("returned non-zero exit status 2.");
    // A second failing run is not posted again: the room already knows until it recovers.
    spawnSync(BORGMATIC, ["-c", join(fx.dir, "borg-broken.yaml"), "create"], { env: borgEnv(), timeout: 120_000 });
    expect(pingRows().filter((p) => p.name === "backup-broken" && p.kind === "fail")).toHaveLength(2);
    await settle(3000);
    expect(await postsStarting("backup-broken failed")).toHaveLength(1);
  }, 300_000);

  it("takes a restic backup reported by curl (/start, then /$?) through the ping key and slug", async () => {
    const repo = join(fx.dir, "restic-repo");
    const env = { ...process.env, RESTIC_PASSWORD: "test-password", RESTIC_CACHE_DIR: join(fx.dir, "restic-cache") };
    execFileSync("/usr/bin/restic", ["init", "--repo", repo], { env, stdio: "ignore" });
    const script = join(fx.dir, "backup.sh");
    writeFileSync(script, [
      "#!/bin/sh",
      `url=${base}/ping/${PING_KEY}/restic-nas`,
      'curl -fsS -m 10 --retry 3 -o /dev/null "$url/start"',
      `/usr/bin/restic --repo ${repo} backup ${join(fx.dir, "src")} > ${join(fx.dir, "restic.log")} 2>&1`,
      `curl -fsS -m 10 --retry 3 -o /dev/null --data-binary @${join(fx.dir, "restic.log")} "$url/$?"`,
      "",
    ].join("\n"));
    chmodSync(script, 0o755);
    execFileSync(script, { env });
    const rows = pingRows().filter((p) => p.name === "restic-nas");
    expect(rows.map((p) => [p.kind, p.exit])).toEqual([["start", null], ["success", 0]]);
    expect(rows[1]!.body.toString("utf8")).toMatch(/snapshot [0-9a-f]{8} saved/);
    expect(String((await ask("!checks")).content.body)).toMatch(/\nrestic-nas +up +\d+ s ago +\d+ s +in (23 h 59 min|1 d)\n/);
  }, 120_000);

  // A raw request, so the path reaches magi exactly as written (fetch would resolve the dots first).
  const raw = (method: string, path: string, body?: Buffer) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const r = request({ host: "127.0.0.1", port, method, path, headers: body ? { "content-length": String(body.length) } : {} }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    r.on("error", reject);
    r.end(body);
  });

  it("answers bad pings with their status codes and changes nothing", async () => {
    const before = pingRows().length;
    // The list without its times (and the padding they change), which must be just as before.
    const listed = async () => String((await ask("!checks")).content.body).replace(/\d+ (d|h|min|s)( \d+ (h|min|s))?/g, "…").replace(/ +/g, " ");
    const checksBefore = await listed();
    const cases: [string, string, number, Buffer?][] = [
      ["GET", `/ping/${UNKNOWN_UUID}`, 404],
      ["GET", `/ping/wrong-key-0123456789abcdef/restic-nas`, 404],
      ["GET", `/ping/${BORG_UUID}/256`, 400],
      ["GET", "/ping/../healthz", 400],
      ["GET", "/ping/%2e%2e/healthz", 400],
      ["GET", `/ping/${BORG_UUID}/%2e%2e/fail`, 400],
      ["GET", `/ping/${BORG_UUID}?rid=../../x`, 400],
      ["POST", `/ping/${BORG_UUID}/fail`, 413, Buffer.alloc(100_001, "x")],
    ];
    for (const [method, path, status, body] of cases) expect([path, (await raw(method, path, body)).status]).toEqual([path, status]);
    expect(pingRows()).toHaveLength(before);
    expect(await listed()).toBe(checksBefore);
  }, 60_000);

  it("pauses and resumes a check by command, and refuses an unknown one", async () => {
    expect((await ask("!pause backup-brokn")).content.body).toBe("unknown check backup-brokn (did you mean backup-broken?): !checks lists the checks magi watches");
    expect((await ask("!pause backup-broken")).content.body).toBe("⏸️ Paused backup-broken: it will not go late or down until !resume backup-broken.");
    expect(String((await ask("!checks")).content.body)).toMatch(/\nbackup-broken +paused +/);
    expect((await ask("!pause backup-broken")).content.body).toBe("backup-broken is already paused.");
    expect((await ask("!resume backup-broken")).content.body).toMatch(/^▶️ Resumed backup-broken: next run expected in (23 h 59 min|1 d)\.$/);
    expect(String((await ask("!checks")).content.body)).toMatch(/\nbackup-broken +DOWN \(failed\) +/);
    // The pause interrupted the story: still failed after the resume, the failure is posted once more (and only once).
    const again = await waitForPosts("backup-broken failed", 2);
    expect(again[1]!.content.body).toMatch(/^backup-broken failed after \d+ s:\n/);
    await settle(2000);
    expect(await postsStarting("backup-broken failed")).toHaveLength(2);
  }, 60_000);
});
