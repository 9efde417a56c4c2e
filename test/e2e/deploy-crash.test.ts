// A local deploy whose magi is killed with SIGKILL: after the restart the process is found (pid,
// start time, boot id from the job row), the room is told, the host stays locked until it ends,
// and the job then ends honestly; a process already gone is reported interrupted.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

describe("a deploy process that outlives magi", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-deploy-crash-"));
  const fake = join(dir, "fake");
  const calls = join(fake, "calls");
  let misato: TestSshd;
  let fx: MagiFixture;
  let bot: BotProcess;
  let env: Record<string, string>;
  const leftovers: number[] = [];

  const isAlive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  const readPid = (name: string) => Number(readFileSync(join(fake, name), "utf8"));
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  const jobMessage = (commandId: string) =>
    fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body)));

  // Starts a slow deploy, waits until its fake build sleeps, and kills magi with SIGKILL under it.
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
    expect(isAlive(leader) && isAlive(child)).toBe(true);
    return { id, message: job.event_id, leader, child };
  }

  beforeAll(async () => {
    mkdirSync(fake);
    const repo = await createFlakeRepo(dir);
    await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("deploy-crash");
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["lab"], deploy: { method: "nixos-rebuild" } }) };
    fx.config.approvals = [{ command: "deploy", hosts: "@lab", approvals: 0 }];
    env = { PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${misato.pid}/root/run` };
    bot = await fx.start(env);
  });

  beforeEach(() => {
    for (const file of [calls, join(fake, "fake-mode"), join(fake, "fake-child.pid"), join(fake, "fake-leader.pid")]) rmSync(file, { force: true });
  });

  afterAll(async () => {
    await bot?.stop();
    signalEach(leftovers, "SIGKILL");
    await misato?.stop();
  });

  it("finds the deploy still running after a restart, keeps the host locked, and ends the job honestly when it ends", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT state, proc_pid AS pid, proc_pgid AS pgid, proc_name AS name FROM jobs WHERE id = ?").get(id);
    db.close();
    expect(row).toEqual({ state: "running", pid: leader, pgid: leader, name: "nixos-rebuild" });
    bot = await fx.start(env);
    const notice = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes(`job ${id} (deploy misato): magi restarted`));
    expect(notice.content.body).toBe(`${fx.admin.userId.slice(1).split(":")[0]}: job ${id} (deploy misato): magi restarted while this deploy was running; nixos-rebuild (pid ${leader}) is still running on magi's machine — magi is waiting for it to end, and misato stays locked until then.`);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [fx.admin.userId] });
    expect(await bodyOf(message, /still running after restart/)).toMatch(new RegExp(`^job ${id} · deploy misato · still running after restart \\(pid ${leader}\\) · `));
    const jobs = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!jobs"));
    // !jobs wraps long cells; what matters is the words a reader sees.
    expect(String(jobs.content.body).replace(/\s+/g, " ")).toContain(`state: still running after restart (pid ${leader})`);
    // The host is locked: a second deploy waits behind the old one and does not start.
    rmSync(join(fake, "fake-mode"));
    const second = await fx.admin.say(fx.roomId, "!deploy misato");
    const secondJob = await jobMessage(second);
    expect(secondJob.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(isAlive(leader)).toBe(true);
    // The build ends (its sleeping child dies); the leader then ends too.
    process.kill(child, "SIGKILL");
    const ended = await bodyOf(message, /interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · interrupted after \\d+ s: the deploy process outlived magi's restart and ended after \\d+ s; its result is unknown — check !generations misato$`));
    expect(isAlive(leader)).toBe(false);
    const end = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes(`deploy misato interrupted`) && String(e.content.body).includes(`!log ${id}`));
    expect(end.content["m.mentions"]).toEqual({ user_ids: [fx.admin.userId] });
    // Only now does the second deploy run.
    expect(await bodyOf(secondJob.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });

  it("reports a deploy whose process ended while magi was down as interrupted, saying the process had ended", async () => {
    const { id, message, leader } = await deployThenKillMagi();
    process.kill(-leader, "SIGKILL");
    for (let i = 0; i < 50 && isAlive(leader); i++) await sleep(100);
    expect(isAlive(leader)).toBe(false);
    bot = await fx.start(env);
    const notice = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes(`job ${id} (deploy misato) was interrupted`));
    expect(notice.content.body).toBe(`${fx.admin.userId.slice(1).split(":")[0]}: job ${id} (deploy misato) was interrupted: magi stopped while it was running. It was not re-run; check misato and start it again if it is still needed.`);
    expect(await bodyOf(message, /interrupted/)).toMatch(new RegExp(`^job ${id} · deploy misato · interrupted after \\d+ s: its nixos-rebuild \\(pid ${leader}\\) had ended before magi restarted; its result is unknown — check !generations misato$`));
    // Nothing holds the host: the next deploy runs at once.
    rmSync(join(fake, "fake-mode"));
    const next = await jobMessage(await fx.admin.say(fx.roomId, "!deploy misato"));
    expect(await bodyOf(next.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });
});
