// The e2e subset against Dendrite, a second implementation of the client-server API: magi must rely on the
// spec, not on Synapse. Starts its own Dendrite (not the shared Synapse) and one magi. Needs Dendrite built
// by .ci/run (GOBIN=~/.cache/magi/go-bin). Run alone: npx vitest run --project e2e test/e2e/dendrite.test.ts
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithTools } from "../unit/nix/describe-with-tools.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { DENDRITE_NEEDS, startDendrite, type RunningDendrite } from "./harness/dendrite.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
// Small enough that a long build's log passes it, large enough for a normal one.
const UPLOAD_LIMIT = 16 * 1024;
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";

describeWithTools("magi on Dendrite", DENDRITE_NEEDS, () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-dendrite-"));
  const calls = join(dir, "fake", "calls");
  let hs: RunningDendrite;
  let misato: TestSshd;
  let fx: MagiFixture;
  let bot: BotProcess;
  let dep: TestUser;
  let stranger: TestUser;
  let ghost: TestUser;
  let head: string;
  let deployJob: number;
  let env: Record<string, string>;

  const rebuilds = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter((l) => l.startsWith("nixos-rebuild\t")) : []);
  const ask = async (user: TestUser, text: string) => user.waitForReply(fx.roomId, await user.say(fx.roomId, text));

  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    hs = await startDendrite({ maxUploadBytes: UPLOAD_LIMIT });
    const repo = await createFlakeRepo(dir);
    head = await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    misato = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("dendrite", hs);
    dep = await fx.newUser("dep");
    stranger = await fx.newUser("stranger");
    ghost = await fx.ghost("slack_t0123abcd-u0ps1");
    fx.access.users[dep.userId] = "deployer";
    fx.access.patterns.push({ glob: "@slack_t0123abcd-*:localhost", level: "deployer" });
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = { misato: hostConfigFor(misato, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }) };
    fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 2, min_level: "deployer", expires_minutes: 5 }];
    env = { PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${misato.pid}/root/run` };
    bot = await fx.start(env);
  });

  afterAll(async () => {
    await bot?.stop();
    await misato?.stop();
    await hs?.stop();
  });

  it("joins the room it was invited to and answers !ping in reply to the command", async () => {
    const member = await fx.admin.call("GET", `/rooms/${encodeURIComponent(fx.roomId)}/state/m.room.member/${encodeURIComponent(fx.botUserId)}`);
    expect(member.membership).toBe("join");
    const command = await fx.admin.say(fx.roomId, "!ping");
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.sender).toBe(fx.botUserId);
    expect(reply.content).toMatchObject({ msgtype: "m.text", body: "pong", "m.relates_to": { "m.in_reply_to": { event_id: command } } });
  });

  it("shows in !help only what the caller's level allows", async () => {
    const adminHelp = await ask(fx.admin, "!help");
    const strangerHelp = await ask(stranger, "!help");
    expect(adminHelp.content.body).toContain("level 4 (admin)");
    expect(adminHelp.content.body).toContain("!audit [n]");
    expect(strangerHelp.content.body).toContain("level 0 (unknown)");
    expect(strangerHelp.content.body).toContain("!whoami");
    expect(strangerHelp.content.body).not.toContain("!hosts");
    expect(strangerHelp.content.body).not.toContain("!audit");
  });

  it("ignores edits, whether of a command or into one", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    const editOfCommand = await fx.admin.edit(fx.roomId, command, "!whoami");
    const chatter = await fx.admin.say(fx.roomId, "hello");
    const editIntoCommand = await fx.admin.edit(fx.roomId, chatter, "!ping");
    // A later command answered proves magi has read past the edits.
    await ask(fx.admin, "!whoami");
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
    for (const id of [editOfCommand, chatter, editIntoCommand]) expect(await fx.admin.repliesTo(fx.roomId, id)).toEqual([]);
  });

  it("deploys after two approvals by reaction, a redacted vote withdrawn, and edits the job message as it runs", async () => {
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await dep.waitForReply(fx.roomId, command);
    expect(prompt.content.body).toMatch(new RegExp(`^⏳ deploy \\(switch\\) misato at ${head.slice(0, 12)} "bump nixpkgs", requested by ${dep.userId}: react`));
    const withdrawn = await ghost.react(fx.roomId, prompt.event_id, "👍");
    await waitForBody(fx.admin, fx.roomId, prompt.event_id, /Approved so far by @slack_t0123abcd-u0ps1:localhost/);
    await ghost.call("PUT", `/rooms/${encodeURIComponent(fx.roomId)}/redact/${encodeURIComponent(withdrawn)}/r${Date.now()}`, {});
    await waitForBody(fx.admin, fx.roomId, prompt.event_id, /^⏳ [^]*\)\.$/);
    await fx.admin.react(fx.roomId, prompt.event_id, "👍");
    await new Promise((r) => setTimeout(r, 1000));
    expect(rebuilds()).toEqual([]);
    // The build sleeps until the test ends it, so the job message shows its progress before the outcome.
    writeFileSync(join(dir, "fake", "fake-mode"), "slow");
    await ghost.react(fx.roomId, prompt.event_id, "✅");
    const job = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body)));
    deployJob = Number(/(?:^|\n)job (\d+) /.exec(String(job.content.body))![1]);
    expect(await waitForBody(fx.admin, fx.roomId, job.event_id, /building/)).toMatch(new RegExp(`^job ${deployJob} · deploy misato · running \\(building\\) · `));
    const childPid = join(dir, "fake", "fake-child.pid");
    for (let i = 0; i < 100 && !existsSync(childPid); i++) await new Promise((r) => setTimeout(r, 100));
    rmSync(join(dir, "fake", "fake-mode"));
    process.kill(Number(readFileSync(childPid, "utf8")), "SIGKILL");
    const done = await waitForBody(fx.admin, fx.roomId, job.event_id, /succeeded|failed/);
    expect(done).toMatch(new RegExp(`^job ${deployJob} · deploy misato · succeeded`));
    // Progress reached the room as m.replace edits of the one job message, each with a fallback body.
    const edits = (await fx.admin.timeline(fx.roomId, 300)).filter((e) => e.content["m.relates_to"]?.rel_type === "m.replace" && e.content["m.relates_to"]?.event_id === job.event_id);
    expect(edits.length).toBeGreaterThan(1);
    expect(edits.map((e) => String(e.content["m.new_content"].body))).toContainEqual(expect.stringMatching(/ · running \(building\) · /));
    for (const edit of edits) {
      expect(edit.sender).toBe(fx.botUserId);
      expect(edit.content.body).toBe(`* ${edit.content["m.new_content"].body}`);
    }
    // The prompt reads "Started job N." once approved, and gains "Done: …" when the job has ended.
    expect(await waitForBody(fx.admin, fx.roomId, prompt.event_id, /^✅.* Done: /)).toMatch(new RegExp(`approved by ${fx.admin.userId}, @slack_t0123abcd-u0ps1:localhost\\. Started job ${deployJob}\\. Done: 1 succeeded\\.$`));
    expect(rebuilds()).toHaveLength(1);
  });

  it("uploads a job's log as a file whose bytes are the stored log", async () => {
    const command = await fx.admin.say(fx.roomId, `!log ${deployJob}`);
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command);
    const bytes = await fx.admin.download(file.content.url as string);
    const db = new Database(fx.dbPath, { readonly: true });
    const stored = (db.prepare("SELECT text FROM job_logs WHERE job_id = ? ORDER BY seq").all(deployJob) as { text: string }[]).map((r) => r.text).join("");
    db.close();
    expect(stored).toContain("building the system configuration");
    expect(bytes.toString("utf8")).toBe(stored);
    expect(file.content.info).toMatchObject({ mimetype: "text/plain", size: bytes.length });
  });

  it("answers nothing twice and re-runs no job after a kill -9 and a restart", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    await bot.kill();
    bot = await fx.start(env);
    await ask(fx.admin, "!whoami");
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
    expect(rebuilds()).toHaveLength(1);
  });

  it("uploads the end of a log larger than the server accepts, saying what was cut", async () => {
    writeFileSync(join(dir, "fake", "fake-mode"), "long-log");
    const command = await fx.admin.say(fx.roomId, "!deploy misato --dry-run");
    const job = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && /(^|\n)job \d+ · deploy misato /.test(String(e.content.body)));
    const id = Number(/(?:^|\n)job (\d+) /.exec(String(job.content.body))![1]);
    expect(await waitForBody(fx.admin, fx.roomId, job.event_id, /succeeded|failed/)).toMatch(/ · succeeded/);
    rmSync(join(dir, "fake", "fake-mode"));
    const ask = await fx.admin.say(fx.roomId, `!log ${id}`);
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === ask);
    const bytes = (await fx.admin.download(file.content.url as string)).toString("utf8");
    const db = new Database(fx.dbPath, { readonly: true });
    const stored = (db.prepare("SELECT text FROM job_logs WHERE job_id = ? ORDER BY seq").all(id) as { text: string }[]).map((r) => r.text).join("");
    db.close();
    expect(Buffer.byteLength(stored)).toBeGreaterThan(UPLOAD_LIMIT * 2);
    const [note, ...rest] = bytes.split("\n");
    const cut = Number(/^\[magi: the first (\d+) of (\d+) bytes are cut here; the homeserver accepts uploads up to 16384 bytes\. magi keeps the whole log\.\]$/.exec(note!)?.[1]);
    expect(cut).toBeGreaterThan(0);
    expect(rest.join("\n")).toBe(stored.slice(cut));
    expect(stored[cut - 1]).toBe("\n");
    expect(Buffer.byteLength(bytes)).toBeLessThanOrEqual(UPLOAD_LIMIT);
    expect(file.content.body).toBe(`${file.content.filename}: the last ${Buffer.byteLength(bytes)} of ${Buffer.byteLength(stored)} bytes (the homeserver accepts uploads up to 16384 bytes)`);
  });
});
