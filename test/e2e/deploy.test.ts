// `!deploy` from chat through a real magi, Synapse, git repository and sshd hosts; nixos-rebuild is a fake on PATH.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";

describe("deploys from chat", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-deploy-"));
  const calls = join(dir, "fake", "calls");
  const hosts: Record<string, TestSshd> = {};
  let fx: MagiFixture;
  let bot: BotProcess;
  let dep: TestUser;
  let contrib: TestUser;
  let ghostA: TestUser;
  let ghostB: TestUser;
  let head: string;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;

  const readCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")) : []);
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  const jobMessage = (commandId: string, host: string) =>
    fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && new RegExp(`(^|\n)job \\d+ · deploy ${host} `).test(String(e.content.body)));

  // Reads magi's database while it runs.
  const queryOne = <T>(sql: string, ...params: unknown[]): T => {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  };
  const countJobs = () => queryOne<{ n: number }>("SELECT count(*) AS n FROM jobs").n;
  const jobsOf = (command: string) => queryOne<{ n: number }>("SELECT count(*) AS n FROM jobs j JOIN approvals a ON a.id = j.approval_id WHERE a.command_event_id = ?", command).n;
  // A reply to a !ping sent now proves magi handled every event before it (the intake takes events in order); a job
  // those events started would by then be stored (jobs are stored before they launch), so a count of jobs is final.
  const caughtUp = async () => void (await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!ping")));

  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    repo = await createFlakeRepo(dir);
    head = await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    const startHost = async (name: string) => {
      hosts[name] = await startSshd({ dir, name, pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL.replace("misato", name) } });
    };
    [fx] = await Promise.all([createMagiFixture("deploy"), ...["misato", "kaji", "asuka"].map(startHost)]);
    [dep, contrib, ghostA, ghostB] = await Promise.all([fx.newUser("dep"), fx.newUser("contrib"), fx.ghost("slack_t0123abcd-u0ps1"), fx.ghost("slack_t0123abcd-u0ps2")]);
    Object.assign(fx.access.users, { [dep.userId]: "deployer", [contrib.userId]: "contributor" });
    fx.access.patterns.push({ glob: "@slack_t0123abcd-*:localhost", level: "deployer" });
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = {
      misato: hostConfigFor(hosts.misato!, { tags: ["prod", "k3s"], deploy: { method: "nixos-rebuild" } }),
      kaji: hostConfigFor(hosts.kaji!, { tags: ["lab", "k3s"], deploy: { method: "nixos-rebuild" } }),
      asuka: hostConfigFor(hosts.asuka!, { tags: ["lab"], deploy: { method: "nixos-rebuild" } }),
    };
    fx.config.approvals = [
      { command: "deploy", hosts: "@prod", approvals: 2, min_level: "deployer", expires_minutes: 0.25 },
      { command: "deploy", hosts: "@lab", approvals: 0 },
    ];
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${hosts.misato!.pid}/root/run` });
  });

  beforeEach(() => {
    rmSync(calls, { force: true });
    rmSync(join(dir, "fake", "fake-mode"), { force: true });
  });

  afterAll(async () => {
    await bot?.stop();
    for (const sshd of Object.values(hosts)) await sshd.stop();
  });

  it("deploys the exact commit after two other deployers approve, ignoring self, level 2, and a withdrawn vote", async () => {
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command);
    expect(prompt.content.body).toBe(`⏳ deploy (switch) misato at ${head.slice(0, 12)} "bump nixpkgs", requested by ${dep.userId}: react 👍 or ✅ to approve, 👎 or ❌ to reject within 15 s (2 approvals from level 3 (deployer) or above, not from ${dep.userId}).`);
    await dep.react(fx.roomId, prompt.event_id, "👍");
    await contrib.react(fx.roomId, prompt.event_id, "👍");
    await bot.waitForLog((l) => l.msg === "reaction ignored" && l.voter === contrib.userId);
    expect(bot.logs.some((l) => l.msg === "reaction ignored" && l.voter === dep.userId)).toBe(true);
    const withdrawn = await ghostA.react(fx.roomId, prompt.event_id, "👍\uFE0F");
    await bodyOf(prompt.event_id, /Approved so far by @slack_t0123abcd-u0ps1/);
    await ghostA.call("PUT", `/rooms/${encodeURIComponent(fx.roomId)}/redact/${encodeURIComponent(withdrawn)}/r${Date.now()}`, {});
    await bodyOf(prompt.event_id, /^⏳ [^]*\)\.$/);
    await ghostB.react(fx.roomId, prompt.event_id, "👍🏽");
    // magi has counted that vote once the prompt names it: one approval of two, so nothing may run.
    await bodyOf(prompt.event_id, /Approved so far by @slack_t0123abcd-u0ps2/);
    expect(readCalls()).toEqual([]);
    await ghostA.react(fx.roomId, prompt.event_id, "✅");
    const job = await jobMessage(command, "misato");
    const done = await bodyOf(job.event_id, /succeeded|failed/);
    expect(done).toContain(head.slice(0, 7));
    expect(done).toMatch(/succeeded/);
    const call = readCalls().find((c) => c[0] === "nixos-rebuild")!;
    expect(call.slice(0, 3)).toEqual(["nixos-rebuild", "switch", "--flake"]);
    expect(call[3]).toMatch(/#misato$/);
    expect(call.slice(4)).toEqual(["--target-host", `${hosts.misato!.user}@127.0.0.1`]);
    const context = readFileSync(`${calls}.context`, "utf8");
    expect(context).toContain(`head=${head}`);
    expect(await bodyOf(prompt.event_id, /^✅.*Done/)).toMatch(/approved by @slack_t0123abcd-u0ps2:localhost, @slack_t0123abcd-u0ps1:localhost\. Started job \d+\. Done: 1 succeeded\.$/);
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT sender, decision, outcome FROM audit WHERE event_id = ?").get(command) as Record<string, string>;
    const ignored = db.prepare("SELECT sender, outcome FROM audit WHERE text LIKE 'reaction on approval%' ORDER BY id").all() as Record<string, string>[];
    db.close();
    expect(row).toMatchObject({ sender: dep.userId, decision: "allowed" });
    expect(row.outcome).toMatch(/^approved by @slack_t0123abcd-u0ps2:localhost, @slack_t0123abcd-u0ps1:localhost; job \d+ succeeded: deployed \w{7} to misato \(switch\)/);
    expect(ignored).toEqual(expect.arrayContaining([
      { sender: dep.userId, outcome: "ignored: the requester may not approve their own request" },
      { sender: contrib.userId, outcome: `ignored: approvers need level 3 (deployer); ${contrib.userId} has 2 (contributor)` },
    ]));
  });

  it("counts approvals sent while magi was down", async () => {
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command);
    await bot.stop();
    await ghostA.react(fx.roomId, prompt.event_id, "👍");
    await ghostB.react(fx.roomId, prompt.event_id, "👍");
    // More approvals than needed, and a second reaction from the same person: still one job.
    await fx.admin.react(fx.roomId, prompt.event_id, "✅");
    await ghostA.react(fx.roomId, prompt.event_id, "✅");
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls });
    const job = await jobMessage(command, "misato");
    expect(await bodyOf(job.event_id, /succeeded|failed/)).toMatch(/succeeded/);
    await caughtUp();
    expect(jobsOf(command)).toBe(1);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild")).toHaveLength(1);
  });

  it("stops on a rejection, the requester's !cancel, and expiry, running nothing", async () => {
    const jobsBefore = countJobs();
    const rejected = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy misato"));
    await fx.admin.react(fx.roomId, rejected.event_id, "👎");
    expect(await bodyOf(rejected.event_id, /^❌/)).toMatch(/^❌ deploy \(switch\) misato at \w+ "bump nixpkgs": rejected by @admin-deploy-\w+:localhost\. Nothing was run\.$/);
    const called = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy misato"));
    const cancel = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!cancel"));
    expect(cancel.content.body).toMatch(/^Called off: deploy \(switch\) misato at \w{12} "bump nixpkgs"\. Nothing was run\.$/);
    expect(await bodyOf(called.event_id, /^🚫/)).toBe(`🚫 deploy (switch) misato at ${head.slice(0, 12)} "bump nixpkgs": cancelled by ${dep.userId}. Nothing was run.`);
    await ghostA.react(fx.roomId, called.event_id, "👍");
    await ghostB.react(fx.roomId, called.event_id, "👍");
    const expired = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy misato"));
    expect(await bodyOf(expired.event_id, /^⌛/, 40_000)).toMatch(/not approved within 15 s\. Nothing was run\.$/);
    await ghostA.react(fx.roomId, expired.event_id, "👍");
    await ghostB.react(fx.roomId, expired.event_id, "👍");
    await caughtUp();
    expect(countJobs()).toBe(jobsBefore);
    expect(readCalls()).toEqual([]);
  });

  it("refuses a locked host, naming holder, time and reason", async () => {
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, '!lock misato "kernel upgrade"'));
    const refused = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy misato"));
    expect(refused.content.body).toMatch(new RegExp(`^refusing to deploy: misato is locked by ${fx.admin.userId} since \\d\\d:\\d\\d UTC: kernel upgrade\\. !unlock misato first\\.$`));
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!unlock misato"));
  });

  it("reports exit 4 as switched with failed units, and lets a contributor dry-run", async () => {
    writeFileSync(join(dir, "fake", "fake-mode"), "units-failed");
    const command = await dep.say(fx.roomId, "!deploy kaji");
    const job = await jobMessage(command, "kaji");
    expect(await bodyOf(job.event_id, /failed|succeeded/)).toMatch(/switched, but units failed: k3s\.service, nginx\.service/);
    rmSync(join(dir, "fake", "fake-mode"));
    const dry = await contrib.say(fx.roomId, "!deploy misato --dry-run");
    const dryJob = await jobMessage(dry, "misato");
    expect(await bodyOf(dryJob.event_id, /succeeded|failed/)).toMatch(/succeeded/);
    expect(readCalls().some((c) => c[0] === "nixos-rebuild" && c[1] === "dry-activate")).toBe(true);
    const denied = await contrib.waitForReply(fx.roomId, await contrib.say(fx.roomId, "!deploy misato"));
    expect(denied.content.body).toBe("!deploy misato needs level 3 (deployer); you have 2 (contributor).");
  });

  it("cancels a deploy mid-build and kills the whole process tree", async () => {
    writeFileSync(join(dir, "fake", "fake-mode"), "slow");
    const command = await dep.say(fx.roomId, "!deploy kaji");
    const job = await jobMessage(command, "kaji");
    const id = Number(/job (\d+) · deploy kaji/.exec(String(job.content.body))![1]);
    await bodyOf(job.event_id, /building/);
    for (let i = 0; i < 50 && !existsSync(join(dir, "fake", "fake-child.pid")); i++) await new Promise((r) => setTimeout(r, 100));
    const child = Number(readFileSync(join(dir, "fake", "fake-child.pid"), "utf8"));
    await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, `!cancel ${id}`));
    expect(await bodyOf(job.event_id, /cancelled/)).toMatch(new RegExp(`(^|\n)job ${id} · deploy kaji · cancelled`));
    expect(existsSync(`/proc/${child}`) && !readFileSync(`/proc/${child}/stat`, "utf8").includes(") Z ")).toBe(false);
  });

  it("deploys several hosts as separate jobs and sums up", async () => {
    const command = await dep.say(fx.roomId, "!deploy @lab");
    const overview = await dep.waitForReply(fx.roomId, command);
    expect(overview.content.body).toMatch(/^deploying \w{12} "bump nixpkgs" \(switch\) to kaji, asuka: job \d+ kaji, job \d+ asuka$/);
    const summary = await fx.admin.waitFor(fx.roomId, (e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && String(e.content.body).startsWith("2 of 2 deploy jobs succeeded"), 40_000);
    expect(summary.content.body).toMatch(/kaji: succeeded/);
    expect(summary.content.body).toMatch(/asuka: succeeded/);
  });

  it("deploys a branch pushed after magi started, at its exact commit, and refuses unknown or malformed refs", async () => {
    await git(repo.seed, "checkout", "-q", "-b", "feature/k3s-upgrade");
    const branchHead = await repo.push("k3s.nix", "{ services.k3s.enable = true; }\n", "k3s 1.31", "feature/k3s-upgrade");
    await git(repo.seed, "checkout", "-q", "main");
    const command = await dep.say(fx.roomId, "!deploy kaji feature/k3s-upgrade");
    const job = await jobMessage(command, "kaji");
    const done = await bodyOf(job.event_id, /succeeded|failed/);
    expect(done).toMatch(/succeeded/);
    expect(done).toContain(branchHead.slice(0, 7));
    const context = readFileSync(`${calls}.context`, "utf8").trim().split("\n").at(-1)!;
    expect(context).toContain(`head=${branchHead}`);
    expect(context).toContain("\tdirty=0\t");
    rmSync(calls, { force: true });
    const unknown = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy kaji no-such-branch"));
    expect(unknown.content.body).toBe('no branch or tag "no-such-branch" on origin');
    const malformed = await dep.waitForReply(fx.roomId, await dep.say(fx.roomId, "!deploy kaji main..evil"));
    expect(malformed.content.body).toMatch(/^revision "main\.\.evil" must not contain "\.\." \(give one branch, tag or commit, not a range\)/);
    expect(readCalls()).toEqual([]);
  });

  it("lists generations and rolls back on the host", async () => {
    const gens = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!generations kaji"));
    // Five columns with a full revision are wider than a line, so each generation is an item of its own.
    expect(gens.content.body).toMatch(/^• generation 42 \(current\)\n  built: 2025-06-01 12:00:04 · NixOS: 25\.05\.20250601\.a1b2c3d · /m);
    expect(gens.content.body).toMatch(/^• generation 41\n  built: 2025-05-28 09:13:52 /m);
    const command = await fx.admin.say(fx.roomId, "!rollback kaji");
    const job = await fx.admin.waitForReply(fx.roomId, command);
    expect(await bodyOf(job.event_id, /succeeded|failed/)).toMatch(/succeeded/);
    expect(readCalls()).toContainEqual(["nixos-rebuild", "switch", "--rollback"]);
  });
});
