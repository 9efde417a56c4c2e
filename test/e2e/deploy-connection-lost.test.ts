// A deploy run on the host over SSH (nixos-rebuild-on-host) whose connection is cut while magi keeps
// running: the host's sshd session processes are killed, the command lives on there (the wrapper
// detaches it), and magi follows it over a new connection instead of ending the job: the room is
// told, the host stays locked, and the job ends with the exit status the wrapper left behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import { listProcessTree, signalEach } from "./harness/procs.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The host's sshd processes serving connections (not the listener, not what the sessions run):
// killing them closes magi's TCP connection from the host's side while magi keeps running.
function listSessionProcesses(listener: number): number[] {
  return listProcessTree(listener).filter((pid) => {
    if (pid === listener) return false;
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("sshd");
    } catch {
      return false;
    }
  });
}

describe("a deploy on the host whose connection drops while magi runs", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-deploy-connection-lost-"));
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
  const jobMessage = (commandId: string) =>
    fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body)));

  // Starts a slow deploy on the host, waits until its fake build sleeps, and cuts magi's connection under it.
  async function deployThenCut(): Promise<{ id: number; message: string; leader: number; child: number }> {
    writeFileSync(join(fake, "fake-mode"), "slow");
    const command = await fx.admin.say(fx.roomId, "!deploy misato");
    const job = await jobMessage(command);
    const id = Number(/(?:^|\n)job (\d+) · deploy misato/.exec(String(job.content.body))![1]);
    await bodyOf(job.event_id, /building/);
    for (let i = 0; i < 100 && !existsSync(join(fake, "fake-child.pid")); i++) await sleep(100);
    const leader = readPid("fake-leader.pid");
    const child = readPid("fake-child.pid");
    leftovers.push(leader, child);
    const sessions = listSessionProcesses(misato.pid);
    expect(sessions.length).toBeGreaterThan(0);
    signalEach(sessions, "SIGKILL");
    return { id, message: job.event_id, leader, child };
  }

  beforeAll(async () => {
    mkdirSync(fake);
    mkdirSync(hostTmp);
    const repo = await createFlakeRepo(dir);
    await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run", TMPDIR: hostTmp }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("deploy-connection-lost");
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

  it("says the command keeps running and magi follows it, keeps the host locked, and ends with its exit status", async () => {
    const { id, message, leader, child } = await deployThenCut();
    const following = await bodyOf(message, /magi is following it/);
    expect(following).toMatch(new RegExp(`^job ${id} · deploy misato · still running after the connection dropped \\(pid ${leader}\\) · `));
    expect(following).toContain(`lost the connection to misato; nixos-rebuild (pid ${leader}) keeps running there — magi is following it (`);
    // The host is locked: a second deploy waits behind the followed one and does not start.
    rmSync(join(fake, "fake-mode"));
    const second = await jobMessage(await fx.admin.say(fx.roomId, "!deploy misato"));
    expect(second.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(isAlive(leader)).toBe(true);
    // The build ends: the fake goes on (writing to pipes sshd has closed) and switches the host.
    process.kill(child, "SIGKILL");
    const ended = await bodyOf(message, /succeeded|failed|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · succeeded after \\d+ s, exit code 0: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after the connection dropped; misato runs [0-9a-z]{32}-nixos-system-misato-25\\.05\\.20250601\\.[0-9a-f]{7}$`));
    // The wrapper's status directory is gone once read; only now does the second deploy run.
    expect(readdirSync(hostTmp)).toEqual([]);
    expect(await bodyOf(second.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });

  it("stops the command's whole group on the host when the followed job is cancelled", async () => {
    const { id, message, leader, child } = await deployThenCut();
    await bodyOf(message, /magi is following it/);
    await fx.admin.say(fx.roomId, `!cancel ${id}`);
    const ended = await bodyOf(message, /cancelled/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · cancelled after \\d+ s: nixos-rebuild \\(pid ${leader}\\) on misato, which magi followed after the connection dropped, was stopped after \\d+ s; check !generations misato`));
    for (let i = 0; i < 50 && (isAlive(leader) || isAlive(child)); i++) await sleep(100);
    expect(isAlive(leader) || isAlive(child)).toBe(false);
    expect(readdirSync(hostTmp)).toEqual([]);
  });
});
