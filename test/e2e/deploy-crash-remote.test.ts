// A deploy run on the host over SSH (nixos-rebuild-on-host) whose magi is killed with SIGKILL: the
// command lives on there (the wrapper detaches it), and after the restart magi asks the host about
// the pid, start time and boot id the wrapper reported, tells the room it still runs and keeps the
// host locked, then adopts the exit status the wrapper left behind; or says how it ended while
// magi was down.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { signalEach } from "./harness/procs.ts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deploy on the host that outlives magi", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-deploy-crash-remote-"));
  const fake = join(dir, "fake");
  const calls = join(fake, "calls");
  // The host's TMPDIR: where the wrapper keeps its status directories.
  const hostTmp = join(dir, "host-tmp");
  let misato: TestSshd;
  let fx: MagiFixture;
  let bot: BotProcess;
  const leftovers: number[] = [];

  const isAlive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  const readPid = (name: string) => Number(readFileSync(join(fake, name), "utf8"));
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  const name = () => fx.admin.userId.slice(1).split(":")[0];
  const noticeFor = (text: string) => fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes(text));
  const jobMessage = (commandId: string) =>
    fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body)));
  const readRow = (id: number) => {
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT state, proc_pid AS pid, proc_name AS name, proc_host AS host, proc_status_dir AS statusDir FROM jobs WHERE id = ?").get(id);
    db.close();
    return row as { state: string; pid: number; name: string; host: string; statusDir: string };
  };

  // Starts a slow deploy on the host, waits until its fake build sleeps, and kills magi with SIGKILL under it.
  async function deployThenKillMagi(): Promise<{ id: number; message: string; leader: number; child: number }> {
    writeFileSync(join(fake, "fake-mode"), "slow");
    const command = await fx.admin.say(fx.roomId, "!deploy misato");
    const job = await jobMessage(command);
    const id = Number(/(?:^|\n)job (\d+) · deploy misato/.exec(String(job.content.body))![1]);
    await bodyOf(job.event_id, /building/);
    for (let i = 0; i < 100 && !existsSync(join(fake, "fake-child.pid")); i++) await sleep(100);
    const leader = readPid("fake-leader.pid");
    const child = readPid("fake-child.pid");
    leftovers.push(leader, child);
    await bot.kill();
    // sshd notices the dead connection and closes the session's pipes; the command must live on.
    await sleep(1_000);
    expect(isAlive(leader) && isAlive(child)).toBe(true);
    return { id, message: job.event_id, leader, child };
  }

  beforeAll(async () => {
    mkdirSync(fake);
    mkdirSync(hostTmp);
    const repo = await createFlakeRepo(dir);
    await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run", TMPDIR: hostTmp }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("deploy-crash-remote");
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["lab"], deploy: { method: "nixos-rebuild-on-host", flake_url: "github:team/infra/{rev}" } }) };
    fx.config.approvals = [{ command: "deploy", hosts: "@lab", approvals: 0 }];
    bot = await fx.start();
  });

  beforeEach(() => {
    for (const file of [calls, join(fake, "fake-mode"), join(fake, "fake-child.pid"), join(fake, "fake-leader.pid")]) rmSync(file, { force: true });
  });

  afterAll(async () => {
    await bot?.stop();
    signalEach(leftovers, "SIGKILL");
    await misato?.stop();
  });

  it("finds the command still running on the host after a restart, keeps the host locked, and adopts its exit status when it ends", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    const row = readRow(id);
    expect(row).toMatchObject({ state: "running", pid: leader, name: "nixos-rebuild", host: "misato" });
    expect(row.statusDir.startsWith(`${hostTmp}/magi-`)).toBe(true);
    bot = await fx.start();
    const notice = await noticeFor(`job ${id} (deploy misato): magi restarted`);
    expect(notice.content.body).toBe(`${name()}: job ${id} (deploy misato): magi restarted while this deploy was running; nixos-rebuild (pid ${leader}) is still running on misato — magi is waiting for it to end, and misato stays locked until then.`);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [fx.admin.userId] });
    expect(await bodyOf(message, /still running after restart/)).toMatch(new RegExp(`^job ${id} · deploy misato · still running after restart \\(pid ${leader}\\) · `));
    // The host is locked: a second deploy waits behind the old one and does not start.
    rmSync(join(fake, "fake-mode"));
    const second = await jobMessage(await fx.admin.say(fx.roomId, "!deploy misato"));
    expect(second.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(isAlive(leader)).toBe(true);
    // The build ends: the fake goes on (writing to pipes sshd has closed) and switches the host.
    process.kill(child, "SIGKILL");
    const ended = await bodyOf(message, /succeeded|failed|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · succeeded after \\d+ s, exit code 0: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after magi restarted; misato runs [0-9a-z]{32}-nixos-system-misato-25\\.05\\.20250601\\.[0-9a-f]{7}$`));
    const end = await noticeFor(`!log ${id}`);
    expect(end.content.body).toMatch(new RegExp(`^${name()}: deploy misato succeeded after .*: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after magi restarted; misato runs `));
    // The wrapper's status directory is gone once read; only now does the second deploy run.
    expect(readdirSync(hostTmp)).toEqual([]);
    expect(await bodyOf(second.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });

  it("stops the command's whole group on the host when the adopted job is cancelled", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    bot = await fx.start();
    await noticeFor(`job ${id} (deploy misato): magi restarted`);
    await fx.admin.say(fx.roomId, `!cancel ${id}`);
    const ended = await bodyOf(message, /cancelled/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · cancelled after \\d+ s: nixos-rebuild \\(pid ${leader}\\) on misato, which outlived magi's restart, was stopped after \\d+ s; check !generations misato`));
    expect(isAlive(leader) || isAlive(child)).toBe(false);
    expect(readdirSync(hostTmp)).toEqual([]);
  });

  it("says how a command that ended while magi was down ended, from the status the wrapper left", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    // Someone stops the deploy on the host while magi is down: it ends with 128 + SIGTERM.
    process.kill(leader, "SIGTERM");
    process.kill(child, "SIGKILL");
    const { statusDir } = readRow(id);
    for (let i = 0; i < 50 && !existsSync(join(statusDir, "status")); i++) await sleep(100);
    expect(readFileSync(join(statusDir, "status"), "utf8")).toBe("143\n");
    bot = await fx.start();
    const ended = await bodyOf(message, /failed|succeeded|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · failed after \\d+ s, exit code 143: nixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down; misato runs [0-9a-z]{32}-nixos-system-misato-.*; its output after the restart is not in this log — check !generations misato\nnixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down; exit status 143$`));
    const end = await noticeFor(`!log ${id}`);
    expect(end.content.body).toMatch(new RegExp(`^${name()}: deploy misato failed after .* \\(exit 143\\): nixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down`));
    expect(existsSync(statusDir)).toBe(false);
    // Nothing holds the host: the next deploy runs at once.
    rmSync(join(fake, "fake-mode"));
    const next = await jobMessage(await fx.admin.say(fx.roomId, "!deploy misato"));
    expect(await bodyOf(next.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });
});
