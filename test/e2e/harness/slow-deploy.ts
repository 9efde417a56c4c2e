// One misato with a slow fake nixos-rebuild and the magi deploying it, for the files that interrupt
// a running deploy (magi killed, connection cut) and watch what magi makes of it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { BotProcess } from "./bot-process.ts";
import { createFlakeRepo } from "./flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./magi-fixture.ts";
import { signalEach } from "./procs.ts";
import { startSshd, type TestSshd } from "./sshd.ts";
import { hostConfigFor, waitForBody } from "./test-hosts.ts";

const FAKES = fileURLToPath(new URL("../../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A slow deploy caught while its fake build sleeps: the job, its message and the fake's two processes.
export interface SlowDeploy { id: number; message: string; leader: number; child: number }

// The world of one interrupted-deploy test file.
export interface SlowDeployWorld {
  fx: MagiFixture;
  misato: TestSshd;
  bot: BotProcess;
  // Where the fake records each tool call, one line per call.
  calls: string;
  // The host's TMPDIR, where the wrapper keeps its status directories (on-host deploys).
  hostTmp: string;
  // The environment magi starts with (the fakes on PATH for a local nixos-rebuild).
  env: Record<string, string> | undefined;
  isAlive(pid: number): boolean;
  // Where the wrapper of an on-host job keeps its status, as magi recorded it in the job's row.
  statusDirOf(jobId: number): string;
  bodyOf(eventId: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  jobMessage(commandId: string): ReturnType<MagiFixture["admin"]["waitFor"]>;
  // Starts `!deploy misato` with the fake in slow mode and waits until its build sleeps.
  startSlowDeploy(): Promise<SlowDeploy>;
  // Lets the next deploy run at normal speed.
  endSlowMode(): void;
  // Forgets the last test's fake state (call in beforeEach).
  reset(): void;
  // Starts magi again after a kill.
  restart(): Promise<BotProcess>;
  stop(): Promise<void>;
}

// Starts misato (sshd with the deploy fakes) and a magi deploying it by `method`, with no approval needed.
export async function startSlowDeployWorld(name: string, method: "nixos-rebuild" | "nixos-rebuild-on-host"): Promise<SlowDeployWorld> {
  const dir = mkdtempSync(join(tmpdir(), `magi-${name}-`));
  const fake = join(dir, "fake");
  const calls = join(fake, "calls");
  const hostTmp = join(dir, "host-tmp");
  mkdirSync(fake);
  mkdirSync(hostTmp);
  const leftovers: number[] = [];
  const onHost = method === "nixos-rebuild-on-host";
  const repo = await createFlakeRepo(dir);
  await repo.push("flake.lock", "{}\n", "bump nixpkgs");
  const misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run", ...(onHost ? { TMPDIR: hostTmp } : {}) }, runLinks: { "current-system": INITIAL } });
  const fx = await createMagiFixture(name);
  fx.config.deploy = { flake_dir: repo.checkout };
  fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["lab"], deploy: onHost ? { method, flake_url: "github:team/infra/{rev}" } : { method } }) };
  fx.config.approvals = [{ command: "deploy", hosts: "@lab", approvals: 0 }];
  // A local nixos-rebuild runs on magi's machine: the fakes go on magi's PATH and switch misato's /run.
  const env = onHost ? undefined : { PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${misato.pid}/root/run` };
  const readPid = (file: string) => Number(readFileSync(join(fake, file), "utf8"));
  const world: SlowDeployWorld = {
    fx,
    misato,
    bot: await fx.start(env),
    calls,
    hostTmp,
    env,
    statusDirOf: (jobId) => {
      const db = new Database(fx.dbPath, { readonly: true });
      const row = db.prepare("SELECT proc_status_dir AS dir FROM jobs WHERE id = ?").get(jobId) as { dir: string | null } | undefined;
      db.close();
      if (!row?.dir) throw new Error(`job ${jobId} has no status directory recorded`);
      return row.dir;
    },
    isAlive: (pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "),
    bodyOf: (eventId, pattern, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs),
    jobMessage: (commandId) =>
      fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body))),
    async startSlowDeploy() {
      writeFileSync(join(fake, "fake-mode"), "slow");
      const job = await world.jobMessage(await fx.admin.say(fx.roomId, "!deploy misato"));
      const id = Number(/(?:^|\n)job (\d+) · deploy misato/.exec(String(job.content.body))![1]);
      await world.bodyOf(job.event_id, /building/);
      for (let i = 0; i < 100 && !existsSync(join(fake, "fake-child.pid")); i++) await sleep(100);
      const leader = readPid("fake-leader.pid");
      const child = readPid("fake-child.pid");
      leftovers.push(leader, child);
      return { id, message: job.event_id, leader, child };
    },
    endSlowMode: () => rmSync(join(fake, "fake-mode"), { force: true }),
    reset: () => {
      for (const file of [calls, join(fake, "fake-mode"), join(fake, "fake-child.pid"), join(fake, "fake-leader.pid")]) rmSync(file, { force: true });
    },
    restart: async () => (world.bot = await fx.start(env)),
    async stop() {
      await world.bot?.stop();
      signalEach(leftovers, "SIGKILL");
      await misato.stop();
    },
  };
  return world;
}

// Registers the file's hooks: one world for the file, fresh fake state per test, all stopped after.
// Returns the world's getter (the world exists once beforeAll has run).
export function useSlowDeployWorld(name: string, method: "nixos-rebuild" | "nixos-rebuild-on-host"): () => SlowDeployWorld {
  let world: SlowDeployWorld | undefined;
  beforeAll(async () => {
    world = await startSlowDeployWorld(name, method);
  });
  beforeEach(() => world?.reset());
  afterAll(async () => {
    await world?.stop();
  });
  return () => {
    if (!world) throw new Error(`${name}: the slow-deploy world did not start`);
    return world;
  };
}
