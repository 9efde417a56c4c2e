// An approved `!deploy` survives kill -9 at every step: nothing approved is lost, nothing runs twice, the prompt and the
// audit row tell the truth; a job starts while magi's edits wait on the homeserver's rate limit; a failed host is named.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitUntil } from "../wait-until.ts";
import { overrideRatelimit, registerUser } from "../../bot/synapse/register-user.ts";
import { createApprovalStore } from "../../storage/approval-store.ts";
import { createJobStore } from "../../storage/job-store.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";

// A magi with two prod hosts that need two approvals, sshd hosts and a fake nixos-rebuild that logs every call.
async function setUp(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `magi-${name}-`));
  mkdirSync(join(dir, "fake"));
  const calls = join(dir, "fake", "calls");
  const repo = await createFlakeRepo(dir);
  await repo.push("flake.lock", "{}\n", "bump nixpkgs");
  const startHost = (host: string) => startSshd({ dir, name: host, pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls }, runLinks: { "current-system": INITIAL.replace("misato", host) } });
  const [misato, kaji, fx] = await Promise.all([startHost("misato"), startHost("kaji"), createMagiFixture(name)]);
  const hosts: Record<string, TestSshd> = { misato, kaji };
  const [dep, ghostA, ghostB] = await Promise.all([fx.newUser("dep"), fx.ghost(`slack_t0123abcd-u${name}a`), fx.ghost(`slack_t0123abcd-u${name}b`)]);
  fx.access.users[dep.userId] = "deployer";
  fx.access.patterns.push({ glob: "@slack_t0123abcd-*:localhost", level: "deployer" });
  fx.config.deploy = { flake_dir: repo.checkout };
  fx.config.hosts = {
    misato: hostConfigFor(hosts.misato!, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }),
    kaji: hostConfigFor(hosts.kaji!, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }),
  };
  fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 2, min_level: "deployer", expires_minutes: 5 }];
  const env = { PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls };
  const switches = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter((l) => l.startsWith("nixos-rebuild\tswitch")) : []);
  const react = (user: TestUser, eventId: string, key = "👍") => user.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  // Reads the database magi writes, read-only, while it runs or after it died.
  function query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const until = <T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000) => waitUntil(what, read, { timeoutMs, intervalMs: 25 });
  const stopHosts = async () => {
    for (const sshd of Object.values(hosts)) await sshd.stop();
  };
  // A reply to a !ping sent now proves magi handled every event before it (the intake takes events in order) and
  // finished starting; a duplicate run would by then have its own job row (jobs are stored before they launch).
  const caughtUp = async () => void (await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!ping"), 30_000));
  return { dir, calls, fx, dep, ghostA, ghostB, env, switches, react, bodyOf, query, until, stopHosts, caughtUp };
}

describe("kill -9 at every step of an approved deploy", () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  let bot: BotProcess;

  beforeAll(async () => {
    t = await setUp("crash");
    bot = await t.fx.start(t.env);
  });

  afterAll(async () => {
    await bot?.stop();
    await t?.stopHosts();
  });

  const killAndRestart = async () => {
    await bot.kill();
    bot = await t.fx.start(t.env);
  };
  const approvalOf = (command: string) => t.query<{ id: number; state: string; acted_at: number | null; audit_id: number }>("SELECT id, state, acted_at, audit_id FROM approvals WHERE command_event_id = ?", command)[0];

  it("loses no approved deploy and runs none twice (prompt, votes, quorum, mid-job)", async () => {
    const { fx, dep, ghostA, ghostB, react, switches, until } = t;
    const counts = { approved: 0, executed: 0, duplicated: 0, lost: 0 };
    // Each step: a kill at one point of the flow, a restart, the rest of the flow; then what ran is counted.
    const steps: { name: string; run: () => Promise<string> }[] = [
      { name: "before the prompt is posted", run: async () => {
        // Killed first, so the command is only seen after the restart (the accepted-but-unanswered window is not this test's).
        await bot.kill();
        const command = await dep.say(fx.roomId, "!deploy misato");
        bot = await t.fx.start(t.env);
        const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
        await react(ghostA, prompt.event_id);
        await react(ghostB, prompt.event_id);
        return command;
      } },
      { name: "after the prompt", run: async () => {
        const command = await dep.say(fx.roomId, "!deploy misato");
        const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
        await killAndRestart();
        await react(ghostA, prompt.event_id);
        await react(ghostB, prompt.event_id);
        return command;
      } },
      { name: "after the first vote", run: async () => {
        const command = await dep.say(fx.roomId, "!deploy misato");
        const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
        await react(ghostA, prompt.event_id);
        await until("the first vote", () => t.query("SELECT 1 FROM approval_votes v JOIN approvals a ON a.id = v.approval_id WHERE a.command_event_id = ?", command).length === 1);
        await killAndRestart();
        await react(ghostB, prompt.event_id);
        return command;
      } },
      { name: "right after the deciding vote", run: async () => {
        const command = await dep.say(fx.roomId, "!deploy misato");
        const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
        await react(ghostA, prompt.event_id);
        await react(ghostB, prompt.event_id);
        await until("the decision", () => approvalOf(command)?.state === "approved");
        await killAndRestart();
        return command;
      } },
      { name: "mid-job", run: async () => {
        writeFileSync(join(t.dir, "fake", "fake-mode"), "slow");
        const command = await dep.say(fx.roomId, "!deploy misato");
        const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
        await react(ghostA, prompt.event_id);
        await react(ghostB, prompt.event_id);
        const leader = join(t.dir, "fake", "fake-leader.pid");
        await until("the build", () => existsSync(leader));
        await bot.kill();
        // The fake build outlives magi in its own process group; end it so the next step's build is not stuck behind it.
        try {
          process.kill(-Number(readFileSync(leader, "utf8")), "SIGKILL");
        } catch {}
        rmSync(leader);
        rmSync(join(t.dir, "fake", "fake-mode"));
        bot = await t.fx.start(t.env);
        return command;
      } },
    ];
    for (const step of steps) {
      const before = switches().length;
      const command = await step.run();
      const approval = await until(`the approval of the step ${step.name}`, () => (approvalOf(command)?.state === "approved" ? approvalOf(command) : undefined));
      await until(`the jobs of the step ${step.name} to end`, () => t.query<{ state: string }>("SELECT state FROM jobs WHERE approval_id = ?", approval.id).every((j) => !["queued", "running"].includes(j.state)) && switches().length > before, 40_000).catch(() => undefined);
      await t.caughtUp();
      const ran = switches().length - before;
      // A job the kill cut off before its deploy tool started did nothing, and its approval runs again: that is no duplicate.
      const jobs = t.query<{ id: number; state: string; launched_at: number | null }>("SELECT id, state, launched_at FROM jobs WHERE approval_id = ?", approval.id);
      const launched = jobs.filter((j) => j.launched_at !== null);
      counts.approved += 1;
      counts.executed += Math.min(ran, 1);
      counts.duplicated += Math.max(0, ran - 1) + Math.max(0, launched.length - 1);
      counts.lost += ran === 0 ? 1 : 0;
      console.log(`kill-9 step ${step.name}: switches=${ran} jobs=${jobs.map((j) => `${j.id} ${j.state}${j.launched_at === null ? " (never began)" : ""}`).join(", ")}`);
      expect({ step: step.name, launched: launched.length, acted: (approvalOf(command)?.acted_at ?? null) !== null }).toEqual({ step: step.name, launched: 1, acted: true });
      expect(jobs.filter((j) => j.launched_at === null).every((j) => j.state === "interrupted")).toBe(true);
      if (step.name === "mid-job") {
        const [audit] = t.query<{ outcome: string }>("SELECT outcome FROM audit WHERE id = ?", approval.audit_id);
        expect(launched[0]!.state).toBe("interrupted");
        expect(audit!.outcome).toMatch(new RegExp(`^approved by [^;]+; job ${launched[0]!.id} interrupted: `));
      }
    }
    console.log(`kill-9 schedule: approved=${counts.approved} executed=${counts.executed} duplicated=${counts.duplicated} lost=${counts.lost}`);
    expect(counts).toEqual({ approved: 5, executed: 5, duplicated: 0, lost: 0 });
  }, 150_000);

  it("runs an approval a crash left without its job exactly once, and says so on the prompt and in the audit", async () => {
    const { fx, dep, ghostA, ghostB, switches, bodyOf, until } = t;
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
    await bot.stop();
    // Exactly what a kill -9 between the deciding vote and the job leaves: two votes, approved, no acted mark, no job.
    const db = new Database(fx.dbPath);
    const store = createApprovalStore(db);
    const approval = store.findByCommand(command)!;
    store.addVote(approval.id, "$crash-a", ghostA.userId, "approve", Date.now());
    store.addVote(approval.id, "$crash-b", ghostB.userId, "approve", Date.now());
    expect(store.transition(approval.id, "approved", Date.now(), `${ghostA.userId}, ${ghostB.userId}`)).toBe(true);
    db.close();
    const before = switches().length;
    bot = await fx.start(t.env);
    const final = await bodyOf(prompt.event_id, /Done: 1 succeeded\.$/);
    expect(final).toMatch(new RegExp(`^✅ deploy \\(switch\\) misato at \\w{12} "bump nixpkgs": approved by ${ghostA.userId}, ${ghostB.userId}\\. magi restarted after the approval\\. Started job \\d+\\. Done: 1 succeeded\\.$`));
    await until("the audit outcome", () => /succeeded/.test(t.query<{ outcome: string }>("SELECT outcome FROM audit WHERE id = ?", approval.auditId)[0]!.outcome));
    const [audit] = t.query<{ outcome: string }>("SELECT outcome FROM audit WHERE id = ?", approval.auditId);
    expect(audit!.outcome).toMatch(new RegExp(`^approved by ${ghostA.userId}, ${ghostB.userId}; job \\d+ succeeded: deployed \\w{7} to misato`));
    // And never again: another restart finds the approval acted on.
    await bot.kill();
    bot = await fx.start(t.env);
    // Waiting on magi itself rather than a fixed 2 s: a run again would have stored its job by now.
    await t.caughtUp();
    expect(t.query("SELECT id FROM jobs WHERE approval_id = ?", approval.id)).toHaveLength(1);
    expect(switches().length - before).toBe(1);
  });

  it("runs again, once, an approved deploy whose job a crash cut off before the deploy tool started", async () => {
    const { fx, dep, ghostA, ghostB, switches, bodyOf, until } = t;
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
    await bot.stop();
    // What a kill -9 during the worktree checkout leaves: approved and acted on, its job stored and running, never launched.
    const db = new Database(fx.dbPath);
    const store = createApprovalStore(db);
    const jobs = createJobStore(db);
    const approval = store.findByCommand(command)!;
    expect(store.transition(approval.id, "approved", Date.now(), `${ghostA.userId}, ${ghostB.userId}`)).toBe(true);
    const cut = jobs.transaction(() => {
      expect(store.markActed(approval.id, Date.now())).toBe(true);
      const job = jobs.insert({ command: "deploy", host: "misato", requester: dep.userId, roomId: fx.roomId, mutating: true, createdAt: Date.now(), auditId: approval.auditId, approvalId: approval.id, launchDeferred: true });
      return jobs.update(job.id, { state: "running", startedAt: Date.now(), phase: "checkout" });
    });
    db.close();
    const before = switches().length;
    bot = await fx.start(t.env);
    const final = await bodyOf(prompt.event_id, /Done: 1 succeeded\.$/);
    expect(final).toMatch(/magi restarted after the approval\. Started job \d+\. Done: 1 succeeded\.$/);
    const rows = t.query<{ id: number; state: string; launched_at: number | null }>("SELECT id, state, launched_at FROM jobs WHERE approval_id = ? ORDER BY id", approval.id);
    expect(rows.map((r) => [r.id === cut.id, r.state, r.launched_at !== null])).toEqual([[true, "interrupted", false], [false, "succeeded", true]]);
    const notice = await until("the interrupted notice", async () => (await dep.timeline(fx.roomId)).find((e) => e.type === "m.room.message" && String(e.content.body).includes(`job ${cut.id} (deploy misato) was cut off`)));
    expect(String(notice.content.body)).toContain(`job ${cut.id} (deploy misato) was cut off by a restart before it began: nothing reached misato.`);
    // Once: another restart finds a job that began, so nothing runs again.
    await bot.kill();
    bot = await fx.start(t.env);
    await t.caughtUp();
    expect(t.query("SELECT id FROM jobs WHERE approval_id = ?", approval.id)).toHaveLength(2);
    expect(switches().length - before).toBe(1);
  });

  it("names the host that failed in the prompt's last edit of a multi-host deploy", async () => {
    const { fx, dep, ghostA, ghostB, react, bodyOf } = t;
    writeFileSync(join(t.dir, "fake", "fake-mode.kaji"), "eval-error");
    try {
      const command = await dep.say(fx.roomId, "!deploy @prod");
      const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
      await react(ghostA, prompt.event_id);
      await react(ghostB, prompt.event_id);
      const final = await bodyOf(prompt.event_id, /failed|Done/, 40_000);
      expect(final).toMatch(/: approved by [^.]+\. Started jobs \d+, \d+\. 1 of 2 failed: kaji \(exit 1\)\.$/);
    } finally {
      rmSync(join(t.dir, "fake", "fake-mode.kaji"));
    }
  });
});

describe("an approved job under the homeserver's rate limit", () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    t = await setUp("crashrl");
    bot = await t.fx.start(t.env);
  });

  afterAll(async () => {
    await bot?.kill();
    await t?.stopHosts();
  });

  it("starts the job before the prompt's first edit after the decision gets through", async () => {
    const { fx, dep, ghostA, ghostB, react, switches, until, calls } = t;
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command, 30_000);
    // From here on magi may send one message a second, and replies to six pings wait in line before any edit.
    const hs = inject("synapse");
    const operator = await registerUser(hs, { username: `operator-${Date.now()}`, password: "operator-pw", admin: true });
    await overrideRatelimit(hs.baseUrl, operator.accessToken, fx.botUserId, { messagesPerSecond: 1, burstCount: 1 });
    for (let i = 0; i < 6; i++) await fx.admin.say(fx.roomId, "!ping");
    await react(ghostA, prompt.event_id);
    await react(ghostB, prompt.event_id);
    await until("the deploy to start", () => switches().length > 0, 20_000);
    const startedAt = statSync(calls).mtimeMs;
    const decidedEdit = await fx.admin.waitFor(fx.roomId, (e) => e.content["m.relates_to"]?.rel_type === "m.replace" && e.content["m.relates_to"].event_id === prompt.event_id && String(e.content["m.new_content"]?.body).startsWith("✅"), 30_000);
    expect(startedAt).toBeLessThan(decidedEdit.origin_server_ts);
  });
});
