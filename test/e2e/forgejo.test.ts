// Forgejo push → deploy proposal end to end: real git pushes to a real bare repository, whose post-receive hook
// records each ref update; a small sender turns each into Forgejo's push payload (built from the repository) and posts
// it with a real HMAC, as Forgejo would. magi posts in a real Synapse room; 🚀 becomes a normal deploy request, approved
// by reaction and run through the real deploy path (sshd hosts, nixos-rebuild a fake on PATH).
// Run alone: npx vitest run --project e2e test/e2e/forgejo.test.ts
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../bot/synapse/start-synapse.ts";
import { signBody } from "../../http/forgejo-signature.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const SECRET = "forgejo-webhook-secret-5c1e";
const ZERO = "0".repeat(40);
const REPO = "team/nixos-config";

// Forgejo's push payload for one ref update, read from the repository the push went to.
async function buildPayload(origin: string, before: string, after: string, ref: string): Promise<Record<string, unknown>> {
  const deleted = after === ZERO;
  const ids = deleted ? [] : (await git(origin, "rev-list", "--reverse", before === ZERO ? after : `${before}..${after}`)).split("\n").filter(Boolean);
  const commits = [];
  for (const id of ids) {
    const [name, email, ...message] = (await git(origin, "log", "-1", "--format=%an%n%ae%n%B", id)).split("\n");
    const changes = (await git(origin, "diff-tree", "--no-commit-id", "--name-status", "-r", "--root", id)).split("\n").filter(Boolean).map((l) => l.split("\t"));
    const files = (kind: string) => changes.filter(([k]) => k === kind).map(([, path]) => path!);
    commits.push({
      id, message: `${message.join("\n")}\n`, url: `https://git.example.org/${REPO}/commit/${id}`,
      author: { name, email, username: "dan" }, committer: { name, email, username: "dan" }, timestamp: new Date().toISOString(),
      added: files("A"), removed: files("D"), modified: files("M"),
    });
  }
  const forced = before !== ZERO && !deleted && (await execa("git", ["merge-base", "--is-ancestor", before, after], { cwd: origin, reject: false })).exitCode !== 0;
  return {
    ref, before, after, compare_url: `https://git.example.org/${REPO}/compare/${before}...${after}`, commits, total_commits: commits.length,
    head_commit: commits.at(-1) ?? null, repository: { full_name: REPO, name: "nixos-config", owner: { login: "team" } },
    pusher: { login: "dan", username: "dan" }, sender: { login: "dan", username: "dan" }, forced,
  };
}

describe("Forgejo push proposals", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-forgejo-"));
  const calls = join(dir, "fake", "calls");
  const received = join(dir, "received");
  let fx: MagiFixture;
  let bot: BotProcess;
  let sshd: TestSshd;
  let dep: TestUser;
  let approver: TestUser;
  let url: string;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;
  let seenUpdates = 0;

  // Posts a body to the route the way Forgejo does (pretty-printed, signed, with a delivery id).
  const post = async (body: string, headers: Record<string, string>, route = "nixos") => {
    const r = await fetch(`${url}/forgejo/${route}`, { method: "POST", headers: { "content-type": "application/json", "x-forgejo-event": "push", ...headers }, body });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const deliver = (body: string, delivery = randomUUID()) => post(body, { "x-forgejo-delivery": delivery, "x-forgejo-signature": signBody(body, SECRET) });
  // Runs git push in the seed, then delivers the hook's ref updates; returns the payloads and answers.
  const pushAndDeliver = async (...args: string[]) => {
    await git(repo.seed, "push", "-q", repo.origin, ...args);
    const updates = readFileSync(received, "utf8").split("\n").filter(Boolean).slice(seenUpdates);
    seenUpdates += updates.length;
    const sent = [];
    for (const line of updates) {
      const [before, after, ref] = line.split(" ") as [string, string, string];
      const body = JSON.stringify(await buildPayload(repo.origin, before, after, ref), null, "  ");
      const delivery = randomUUID();
      sent.push({ after, body, delivery, answer: await deliver(body, delivery) });
    }
    return sent;
  };
  const commit = async (file: string, text: string, subject: string) => {
    mkdirSync(join(repo.seed, file, ".."), { recursive: true });
    writeFileSync(join(repo.seed, file), text);
    await git(repo.seed, "add", file);
    await git(repo.seed, "commit", "-q", "-m", subject);
    return git(repo.seed, "rev-parse", "HEAD");
  };
  const messageFor = (sha: string) => fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && !e.content["m.relates_to"] && String(e.content.body).includes(`(${sha.slice(0, 12)})`));
  const bodyOf = (eventId: string, pattern: RegExp, timeoutMs = 30_000) => waitForBody(fx.admin, fx.roomId, eventId, pattern, timeoutMs);
  const react = (user: TestUser, eventId: string, key: string) => user.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });
  const pushRows = () => {
    const db = new Database(fx.dbPath, { readonly: true });
    try {
      return db.prepare("SELECT delivery, sha, kind FROM pushes ORDER BY id").all() as { delivery: string; sha: string; kind: string }[];
    } finally {
      db.close();
    }
  };
  const startMagi = () => fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${sshd.pid}/root/run` });
  const readCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")) : []);

  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    repo = await createFlakeRepo(dir);
    writeFileSync(join(repo.origin, "hooks", "post-receive"), `#!/bin/sh\ncat >> ${JSON.stringify(received)}\n`);
    chmodSync(join(repo.origin, "hooks", "post-receive"), 0o755);
    writeFileSync(received, "");
    sshd = await startSshd({ dir, name: "misato", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("forgejo");
    dep = await fx.newUser("dep");
    approver = await fx.newUser("approver");
    Object.assign(fx.access.users, { [dep.userId]: "deployer", [approver.userId]: "deployer" });
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(join(fx.dir, "health-token"), "health-token-0123456789\n", { mode: 0o600 });
    writeFileSync(join(fx.dir, "forgejo-secret"), `${SECRET}\n`, { mode: 0o600 });
    fx.config.http = { listen: `127.0.0.1:${port}`, credentials_file: join(fx.dir, "health-token") };
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.hosts = {
      misato: hostConfigFor(sshd, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }),
      // A lab machine (the same sshd) whose deploys need no approval: what mode deploy deploys at once.
      kaji: hostConfigFor(sshd, { tags: ["lab"], deploy: { method: "nixos-rebuild" } }),
    };
    fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 1, min_level: "deployer", expires_minutes: 5 }, { command: "deploy", hosts: "@lab", approvals: 0 }];
    fx.config.forgejo = {
      routes: { nixos: { repository: REPO, branch: "main", room: fx.roomId, secret_file: join(fx.dir, "forgejo-secret"), proposes: ["@prod"], paths: { misato: ["hosts/misato/**", "modules/**"] } } },
    };
    bot = await startMagi();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await sshd?.stop();
  });

  it("refuses a missing or wrong signature with 401 and stores nothing", async () => {
    const body = JSON.stringify(await buildPayload(repo.origin, ZERO, await git(repo.origin, "rev-parse", "main"), "refs/heads/main"), null, "  ");
    expect(await post(body, { "x-forgejo-delivery": randomUUID() })).toEqual({ status: 401, json: { error: "missing or wrong signature" } });
    expect(await post(body, { "x-forgejo-delivery": randomUUID(), "x-forgejo-signature": signBody(body, "not-the-secret") })).toEqual({ status: 401, json: { error: "missing or wrong signature" } });
    // Signed, then changed by one byte on the way.
    expect(await post(`${body} `, { "x-forgejo-delivery": randomUUID(), "x-hub-signature-256": `sha256=${signBody(body, SECRET)}` })).toEqual({ status: 401, json: { error: "missing or wrong signature" } });
    expect(pushRows()).toEqual([]);
  });

  it("posts a push to the watched branch once, ignoring a replay of its delivery (also after a restart) and a push to another branch", async () => {
    const sha = await commit("hosts/misato/default.nix", "{ networking.hostName = \"misato\"; }\n", "misato: hostname");
    const [sent] = await pushAndDeliver("main");
    expect(sent!.answer).toEqual({ status: 200, json: { status: "stored", kind: "proposal" } });
    const message = await messageFor(sha);
    expect(message.content.body).toBe([
      `📦 dan pushed 1 commit to ${REPO} main: "misato: hostname" (${sha.slice(0, 12)})`,
      `https://git.example.org/${REPO}/compare/${sent!.body.match(/"before": "(\w+)"/)![1]}...${sha}`,
      "Changed for hosts:",
      "• misato: hosts/misato/default.nix",
      `react 🚀 to request a deploy of misato at ${sha.slice(0, 12)}.`,
    ].join("\n"));
    expect(await deliver(sent!.body, sent!.delivery)).toEqual({ status: 200, json: { status: "duplicate" } });
    await bot.stop();
    bot = await startMagi();
    expect(await deliver(sent!.body, sent!.delivery)).toEqual({ status: 200, json: { status: "duplicate" } });
    await git(repo.seed, "checkout", "-q", "-b", "dev");
    await commit("hosts/misato/dev.nix", "{ }\n", "dev only");
    const [dev] = await pushAndDeliver("dev");
    await git(repo.seed, "checkout", "-q", "main");
    expect(dev!.answer).toEqual({ status: 200, json: { status: "ignored", reason: `not ${REPO} main` } });
    await new Promise((r) => setTimeout(r, 1500));
    const posts = (await fx.admin.timeline(fx.roomId)).filter((e) => e.sender === fx.botUserId && String(e.content.body).startsWith("📦"));
    expect(posts.map((e) => e.event_id)).toEqual([message.event_id]);
    expect(pushRows().map((r) => r.sha)).toEqual([sha]);
  });

  it("marks an older proposal superseded, announces a force-push without proposing it, and a 🚀 on either does nothing", async () => {
    const older = (await git(repo.origin, "rev-parse", "main"));
    const olderMessage = await messageFor(older);
    const newer = await commit("modules/k3s.nix", "{ services.k3s.enable = true; }\n", "k3s on");
    await pushAndDeliver("main");
    await messageFor(newer);
    expect(await bodyOf(olderMessage.event_id, /Superseded/)).toMatch(new RegExp(`\nSuperseded by a newer push \\(${newer.slice(0, 12)}\\); react on that one to deploy\\.$`));
    await react(dep, olderMessage.event_id, "🚀");
    const refusal = await dep.waitForReply(fx.roomId, olderMessage.event_id);
    expect(refusal.content.body).toBe(`This proposal (${older.slice(0, 12)}) was superseded by a newer push (${newer.slice(0, 12)}); nothing was requested. React 🚀 on the newest proposal.`);
    // Rewrite the newest commit and force it out.
    await git(repo.seed, "commit", "-q", "--amend", "-m", "k3s on (fixed)");
    const forced = await git(repo.seed, "rev-parse", "HEAD");
    const [sent] = await pushAndDeliver("--force", "main");
    expect(sent!.answer).toEqual({ status: 200, json: { status: "stored", kind: "forced" } });
    const forcedMessage = await messageFor(forced);
    expect(forcedMessage.content.body).toMatch(/^⚠️ dan force-pushed 1 commit to team\/nixos-config main: "k3s on \(fixed\)" \(\w{12}\)\n[^]*\nA force-push is announced, never proposed: review it, then !deploy by hand if it should go out\.$/);
    await react(dep, forcedMessage.event_id, "🚀");
    expect((await dep.waitForReply(fx.roomId, forcedMessage.event_id)).content.body).toMatch(/^A force-push is not proposed for deploy; nothing was requested\./);
    await new Promise((r) => setTimeout(r, 1000));
    const db = new Database(fx.dbPath, { readonly: true });
    const approvals = db.prepare("SELECT count(*) AS n FROM approvals").get() as { n: number };
    db.close();
    expect(approvals.n).toBe(0);
    expect(readCalls()).toEqual([]);
  });

  it("turns 🚀 into the normal deploy request of exactly that commit: approval by reaction, then the deploy", async () => {
    const sha = await commit("hosts/misato/default.nix", "{ networking.hostName = \"misato\"; time.timeZone = \"UTC\"; }\n", "misato: utc");
    await pushAndDeliver("main");
    const proposal = await messageFor(sha);
    await react(dep, proposal.event_id, "🚀\uFE0F");
    const prompt = await dep.waitForReply(fx.roomId, proposal.event_id);
    expect(prompt.content.body).toMatch(new RegExp(`^⏳ deploy \\(switch\\) misato at ${sha.slice(0, 12)} "misato: utc", requested by ${dep.userId}: react 👍 or ✅ to approve`));
    expect(await bodyOf(proposal.event_id, /requested by/)).toMatch(new RegExp(`\nDeploy of misato at ${sha.slice(0, 12)} requested by ${dep.userId}\\.$`));
    // main moves on before the approval: the deploy still builds the commit that was proposed.
    await commit("README", "later\n", "later commit");
    await git(repo.seed, "push", "-q", repo.origin, "main");
    await react(dep, prompt.event_id, "👍");
    await react(approver, prompt.event_id, "👍");
    expect(await bodyOf(prompt.event_id, /^✅.*Done/, 60_000)).toMatch(new RegExp(`approved by ${approver.userId}\\. Started job \\d+\\. Done: 1 succeeded\\.$`));
    const call = readCalls().find((c) => c[0] === "nixos-rebuild")!;
    expect(call.slice(0, 2)).toEqual(["nixos-rebuild", "switch"]);
    expect(readFileSync(`${calls}.context`, "utf8")).toContain(`head=${sha}`);
    const db = new Database(fx.dbPath, { readonly: true });
    const audit = db.prepare("SELECT sender, text, decision FROM audit WHERE command = 'deploy'").all();
    db.close();
    expect(audit).toEqual([{ sender: dep.userId, text: `!deploy misato ${sha}`, decision: "allowed" }]);
  });

  it("mode deploy, on a route added by a reload: deploys at once, as deploy_as, exactly the pushed sha of the hosts needing no approval, proposes the rest, and a replay deploys nothing", async () => {
    const ci = `@ci:${fx.botUserId.split(":")[1]}`;
    const config = parse(readFileSync(fx.configPath, "utf8")) as Record<string, any>;
    config.access.users[ci] = "deployer";
    config.forgejo.routes.auto = { ...config.forgejo.routes.nixos, paths: {}, proposes: ["@prod", "kaji"], mode: "deploy", deploy_as: ci };
    writeFileSync(fx.configPath, stringify(config));
    const reload = await execa(process.execPath, [fileURLToPath(new URL("../../bot/bin.mjs", import.meta.url)), "reload", "--config", fx.configPath], { reject: false });
    expect(reload.exitCode).toBe(0);
    // The route answers (401 unsigned, not 404) once magi has read the file again.
    for (let i = 0; i < 100 && (await fetch(`${url}/forgejo/auto`, { method: "POST", body: "{}" })).status === 404; i++) await new Promise((r) => setTimeout(r, 100));
    const sha = await commit("hosts/kaji/default.nix", "{ networking.hostName = \"kaji\"; }\n", "kaji: hostname");
    const sent = (await pushAndDeliver("main")).find((d) => d.after === sha);
    const delivery = randomUUID();
    const toAuto = (id: string) => post(sent!.body, { "x-forgejo-delivery": id, "x-forgejo-signature": signBody(sent!.body, SECRET) }, "auto");
    expect(await toAuto(delivery)).toEqual({ status: 200, json: { status: "stored", kind: "proposal" } });
    const message = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && String(e.content.body).includes("Deploying kaji"));
    expect(String(message.content.body).split("\n").slice(-2)).toEqual([
      `Deploying kaji at ${sha.slice(0, 12)} as ${ci}: no approval needed (mode deploy).`,
      `react 🚀 to request a deploy of misato at ${sha.slice(0, 12)}.`,
    ]);
    const job = await fx.admin.waitForReply(fx.roomId, message.event_id);
    expect(await bodyOf(job.event_id, /succeeded/, 60_000)).toMatch(/deploy kaji[^]*succeeded/);
    expect(await toAuto(delivery)).toEqual({ status: 200, json: { status: "duplicate" } });
    await new Promise((r) => setTimeout(r, 1500));
    const kajiCalls = readCalls().filter((c) => c[0] === "nixos-rebuild" && c.some((a) => a.endsWith("#kaji")));
    expect(kajiCalls).toHaveLength(1);
    expect(readFileSync(`${calls}.context`, "utf8").trim().split("\n").filter((l) => l.startsWith("nixos-rebuild")).at(-1)).toContain(`head=${sha}`);
    const db = new Database(fx.dbPath, { readonly: true });
    const audit = db.prepare("SELECT sender, text, decision, source, event_id AS eventId FROM audit WHERE source = 'forgejo'").all();
    db.close();
    expect(audit).toEqual([{ sender: ci, text: `!deploy kaji ${sha} (forgejo auto: pushed by dan)`, decision: "allowed", source: "forgejo", eventId: `forgejo:${delivery}` }]);
  }, 120_000);
});
