// `magi do` while the homeserver is down: a deploy asked and approved from terminals by two Unix users, run once, told to
// the room when it returns; an unmapped user refused; the socket closed to users outside magi's group. The second and
// third Unix identities are real: the client runs as daemon (uid 1) and nobody (uid 65534), which needs root.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSynapse, type RunningSynapse } from "../../bot/synapse/start-synapse.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const BIN = fileURLToPath(new URL("../../bot/bin.mjs", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const isRoot = process.getuid?.() === 0;
const DAEMON = { uid: 1, gid: 0 };
const NOBODY_IN_GROUP = { uid: 65534, gid: 0 };
const NOBODY_OUTSIDE = { uid: 65534, gid: 65534 };

// Runs `magi do words…` as the given Unix identity (this process's when none); resolves with its output and exit code.
function magiDo(socket: string, words: string[], as?: { uid: number; gid: number }): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "do", "--socket", socket, ...words], { ...(as ?? {}), env: { PATH: process.env.PATH ?? "", HOME: "/" }, cwd: "/" });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe.skipIf(!isRoot)("magi do from a terminal", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-terminal-"));
  const dataDir = join(dir, "synapse");
  const calls = join(dir, "fake", "calls");
  let hs: RunningSynapse;
  let fx: MagiFixture;
  let bot: BotProcess | undefined;
  let dep: TestUser;
  let misato: TestSshd;
  let socket: string;
  const readCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")) : []);

  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    // Other users must pass through the test's directories to reach magi's state directory (0700 by mkdtemp).
    chmodSync(dir, 0o711);
    const repo = await createFlakeRepo(dir);
    await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    hs = await startSynapse({ dataDir });
    fx = await createMagiFixture("terminal", { baseUrl: hs.baseUrl, serverName: hs.serverName, sharedSecret: hs.sharedSecret, slackAsToken: "" });
    dep = await fx.newUser("dep");
    fx.access.users[dep.userId] = "deployer";
    fx.config.deploy = { flake_dir: repo.checkout, preview: false };
    fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }) };
    fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 1, min_level: "deployer", expires_minutes: 10 }];
    fx.config.cli = { users: { root: fx.admin.userId, daemon: dep.userId } };
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${misato.pid}/root/run` });
    socket = join(fx.dir, "cli", "magi.sock");
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await hs?.stop();
    await misato?.stop();
    rmSync(calls, { force: true });
  });

  it("keeps the socket to magi's user and group", () => {
    const sock = statSync(socket);
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o660);
    expect([sock.uid, sock.gid]).toEqual([process.getuid!(), process.getgid!()]);
    expect(statSync(join(fx.dir, "cli")).mode & 0o777).toBe(0o710);
    expect(statSync(join(fx.dir, "cli", "proofs")).mode & 0o7777).toBe(0o1730);
    expect(statSync(fx.dbPath).mode & 0o777).toBe(0o600);
  });

  it("refuses a user outside magi's group at the socket, and an unmapped one in it at level 0", async () => {
    const outside = await magiDo(socket, ["status"], NOBODY_OUTSIDE);
    expect(outside.code).toBe(1);
    expect(outside.err).toContain(`magi do: you may not reach magi's socket ${socket}`);
    const unmapped = await magiDo(socket, ["status"], NOBODY_IN_GROUP);
    expect(unmapped.code).toBe(1);
    expect(unmapped.out).toBe("!status needs level 1 (communication); you have 0 (unknown).\n");
    const vote = await magiDo(socket, ["approve", "1"], NOBODY_IN_GROUP);
    expect(vote.out).toContain("Your Unix user (unix:nobody) is not mapped to a Matrix user");
    const db = new Database(fx.dbPath, { readonly: true });
    const rows = db.prepare("SELECT sender, text, decision, source FROM audit WHERE source = 'cli' ORDER BY id").all();
    db.close();
    expect(rows).toEqual([
      { sender: "unix:nobody", text: "!status", decision: "denied", source: "cli" },
      { sender: "unix:nobody", text: "approve 1", decision: "denied", source: "cli" },
    ]);
  });

  it("deploys with the homeserver down: asked by one user, refused as self-approval, approved by another, run once, then told to the room", async () => {
    await hs.stop();
    const asked = await magiDo(socket, ["deploy", "misato"]);
    expect(asked.code).toBe(0);
    const id = /request (\d+)/.exec(asked.out)?.[1];
    expect(asked.out).toMatch(/^⏳ deploy \(switch\) misato at \w{12} "bump nixpkgs": waiting for approval, request \d+ \(expires .*\)\.\nAnother user approves with `magi do approve \d+`/);
    const self = await magiDo(socket, ["approve", id!]);
    expect(self.out).toBe("Not counted: the requester may not approve their own request.\n");
    expect(readCalls()).toEqual([]);
    const approved = await magiDo(socket, ["approve", id!], DAEMON);
    expect(approved.out).toContain(`Request ${id} (deploy (switch) misato`);
    expect(approved.out).toContain(`is approved by ${dep.userId}; running it now.`);
    expect(approved.out).toMatch(/job \d+: deploy misato succeeded/);
    expect(approved.code).toBe(0);
    const again = await magiDo(socket, ["approve", id!], DAEMON);
    expect(again.out).toBe(`Not counted: request ${id} is already approved.\n`);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild")).toHaveLength(1);
    const db = new Database(fx.dbPath, { readonly: true });
    const rows = db.prepare("SELECT sender, text, decision, source, outcome FROM audit WHERE source = 'cli' AND sender != 'unix:nobody' ORDER BY id").all() as Record<string, string>[];
    db.close();
    expect(rows.map((r) => [r.sender, r.text, r.decision])).toEqual([
      [fx.admin.userId, "!deploy misato", "allowed"],
      [fx.admin.userId, `approve ${id}`, "denied"],
      [dep.userId, `approve ${id}`, "allowed"],
      [dep.userId, `approve ${id}`, "denied"],
    ]);
    expect(rows[0]!.outcome).toMatch(new RegExp(`^approved by ${dep.userId.replace(/[.]/g, "\\.")}; job \\d+ succeeded`));
    hs = await startSynapse({ dataDir, port: hs.port });
    const notice = await fx.admin.waitFor(fx.roomId, (e) => String(e.content.body ?? "").includes("from a terminal on magi's machine: !deploy misato"), 60_000);
    expect(notice.content.body).toBe(`🖥 ${fx.admin.userId}, from a terminal on magi's machine: !deploy misato`);
    const prompt = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /deploy \(switch\) misato/.test(String(e.content.body)), 60_000);
    expect(prompt.content.body).toMatch(/requested by/);
  }, 180_000);
});
