// The deploy preview through a real magi, Synapse, git repository and sshd hosts: magi builds before asking
// (fake nix on PATH, printing nix's internal-json and diff-closures formats), shows the closure diff, the
// reboot need and dry-activate's units in the prompt, and deploys only the store path that was approved.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, waitForBody } from "./harness/test-hosts.ts";

const DEPLOY_FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const PREVIEW_FAKES = fileURLToPath(new URL("../fakes/preview", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";

describe("deploy previews", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-preview-"));
  const fake = join(dir, "fake");
  const calls = join(fake, "calls");
  const hosts: Record<string, TestSshd> = {};
  let fx: MagiFixture;
  let bot: BotProcess;
  let dep: TestUser;
  let contrib: TestUser;
  let viewer: TestUser;
  let head: string;

  const readCalls = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")) : []);
  const currentOf = (name: string) => readlinkSync(`/proc/${hosts[name]!.pid}/root/run/current-system`);
  const replyTo = (commandId: string, pattern: RegExp, timeoutMs = 30_000) =>
    fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && pattern.test(String(e.content.body)), timeoutMs);

  beforeAll(async () => {
    mkdirSync(fake);
    const repo = await createFlakeRepo(dir);
    head = await repo.push("flake.lock", "{}\n", "bump nixpkgs");
    for (const name of ["misato", "kaji"]) {
      hosts[name] = await startSshd({ dir, name, pathPrefix: DEPLOY_FAKES, env: { MAGI_FAKE_CALLS: calls }, runLinks: { "current-system": INITIAL.replace("misato", name) } });
    }
    // A host that builds itself: nix (the preview's) and nixos-rebuild are on its PATH.
    hosts.ritsuko = await startSshd({ dir, name: "ritsuko", pathPrefix: `${PREVIEW_FAKES}:${DEPLOY_FAKES}`, env: { MAGI_FAKE_CALLS: calls }, runLinks: { "current-system": INITIAL.replace("misato", "ritsuko") } });
    fx = await createMagiFixture("preview");
    dep = await fx.newUser("dep");
    contrib = await fx.newUser("contrib");
    viewer = await fx.newUser("viewer");
    const ghost = await fx.ghost("slack_t0123abcd-u0pv1");
    Object.assign(fx.access.users, { [dep.userId]: "deployer", [contrib.userId]: "contributor", [viewer.userId]: "communication", [ghost.userId]: "deployer" });
    fx.config.deploy = { flake_dir: repo.checkout, preview: true };
    fx.config.hosts = {
      misato: hostConfigFor(hosts.misato!, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }),
      kaji: hostConfigFor(hosts.kaji!, { tags: ["prod"], deploy: { method: "nixos-rebuild" } }),
      ritsuko: hostConfigFor(hosts.ritsuko!, { tags: ["lab"], deploy: { method: "nixos-rebuild-on-host", flake_url: "github:team/infra/{rev}" } }),
    };
    fx.config.approvals = [{ command: "deploy", hosts: "@prod", approvals: 1, min_level: "deployer" }];
    bot = await fx.start({ PATH: `${PREVIEW_FAKES}:${DEPLOY_FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${hosts.misato!.pid}/root/run` });
  });

  beforeEach(() => {
    for (const f of ["calls", "fake-mode.misato", "fake-mode.kaji", "fake-drift", "fake-diff", "fake-child.pid", "fake-leader.pid"]) rmSync(join(fake, f), { force: true });
  });

  // A slow fake build a failed test left running would hold magi's shutdown for minutes.
  afterEach(() => {
    const leader = join(fake, "fake-leader.pid");
    if (!existsSync(leader)) return;
    try {
      process.kill(-Number(readFileSync(leader, "utf8")), "SIGKILL");
    } catch {
      // Already gone, as it should be.
    }
  });

  afterAll(async () => {
    await bot?.stop();
    for (const sshd of Object.values(hosts)) await sshd.stop();
  });

  it("builds with live progress, shows the diff in the prompt, and activates exactly the approved path", async () => {
    writeFileSync(join(fake, "fake-mode.misato"), "steady");
    const command = await dep.say(fx.roomId, "!deploy misato");
    const prompt = await replyTo(command, /^⏳ deploy/, 60_000);
    const body = String(prompt.content.body);
    const path = /misato: (\/nix\/store\/\S+) \(built on magi\)/.exec(body)?.[1];
    expect(path).toMatch(new RegExp(`-nixos-system-misato-25\\.05\\.20250601\\.${head.slice(0, 7)}$`));
    expect(body).toContain(`⏳ deploy (switch) misato at ${head.slice(0, 12)} "bump nixpkgs", requested by ${dep.userId}: react 👍 or ✅ to approve`);
    expect(body).toContain("8 changed, 1 added, 1 removed; closure +205.7 MiB");
    expect(body).toContain("linux 6.6.30 → 6.6.32 (+1.2 MiB)");
    expect(body).toContain("reboot needed: initrd-linux, linux, systemd changed, which only a reboot runs; consider !deploy misato --boot");
    expect(body).toContain("units — stop: nginx.service; restart: sshd.service; reload: dbus.service; start: k3s.service, nginx.service; systemd re-executes");
    // The progress message went through the build's counts, and ended built.
    const progress = await replyTo(command, /^building \w{12} "bump nixpkgs" to preview it:/);
    const timeline = await fx.admin.timeline(fx.roomId, 300);
    const shown = timeline.filter((e) => e.content["m.relates_to"]?.event_id === progress.event_id).map((e) => String(e.content["m.new_content"]?.body));
    expect(shown.some((b) => /misato: building… \d+\/530 derivations, \d+\/40 paths fetched \(job \d+; !cancel \d+ stops it\)/.test(b))).toBe(true);
    // The last state follows within the edit interval.
    const built = await waitForBody(fx.admin, fx.roomId, progress.event_id, /misato: built \(!log \d+\)$/);
    // The build was a job whose log keeps its readable lines, the built path and the whole diff.
    const previewJob = /misato: built \(!log (\d+)\)$/.exec(built)![1];
    const logCommand = await contrib.say(fx.roomId, `!log ${previewJob}`);
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === logCommand);
    const log = (await fx.admin.download(String(file.content.url))).toString("utf8");
    expect(log).toContain("building '/nix/store/0j8nrz4c1wz9dsl0xqz3hmvvd0hl7gja-unit-k3s.service.drv'\n");
    expect(log).toContain(`built ${path}\nmisato runs ${INITIAL}\n`);
    expect(log).toContain("firefox: ∅ → 126.0.1, +246510.3 KiB\n");
    expect(log).not.toContain("@nix");
    // The host's current system was not in magi's store: it was copied from the host, over the pinned key.
    const copy = readCalls().find((c) => c[0] === "nix" && c[1] === "copy")!;
    expect(copy.slice(1)).toEqual(["copy", "--from", `ssh-ng://${hosts.misato!.user}@127.0.0.1`, INITIAL]);
    expect(readFileSync(`${calls}.context`, "utf8")).toMatch(/^nix\t.*sshopts=-o BatchMode=yes -p \d+ -i \S+ -o UserKnownHostsFile=\S+ -o StrictHostKeyChecking=yes$/m);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild").map((c) => c[1])).toEqual(["dry-activate"]);
    expect(currentOf("misato")).toBe(INITIAL);
    await fx.admin.react(fx.roomId, prompt.event_id, "👍");
    const job = await replyTo(command, /(^|\n)job \d+ · deploy misato /);
    expect(await waitForBody(fx.admin, fx.roomId, job.event_id, /succeeded|failed/, 60_000)).toMatch(/succeeded/);
    expect(currentOf("misato")).toBe(path);
  });

  it("asks nothing when the host already runs the build", async () => {
    const command = await dep.say(fx.roomId, "!deploy misato");
    const answer = await replyTo(command, /already runs/);
    expect(answer.content.body).toMatch(/^misato already runs this system \(\/nix\/store\/\S+-nixos-system-misato-\S+\); nothing to deploy$/);
    const replies = await fx.admin.repliesTo(fx.roomId, command);
    expect(replies.some((e) => String(e.content.body).startsWith("⏳"))).toBe(false);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild")).toEqual([]);
  });

  it("!diff previews for level 2, from the cache the second time, and is denied below", async () => {
    const first = await replyTo(await contrib.say(fx.roomId, "!diff kaji"), /^kaji at /, 60_000);
    expect(first.content.body).toMatch(new RegExp(`^kaji at ${head.slice(0, 12)} "bump nixpkgs":\nkaji: /nix/store/\\S+ \\(built on magi\\)\n  8 changed, 1 added, 1 removed`));
    const second = await replyTo(await contrib.say(fx.roomId, "!diff kaji main"), /^kaji at /, 60_000);
    expect(second.content.body).toContain("(built on magi, preview cached)");
    expect(second.content.body).toContain("units — stop: nginx.service");
    const nix = readCalls().filter((c) => c[0] === "nix").map((c) => c[1]);
    expect(nix.filter((c) => c === "build")).toHaveLength(2);
    expect(nix.filter((c) => c === "store")).toHaveLength(1);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild")).toHaveLength(1);
    const denied = await replyTo(await viewer.say(fx.roomId, "!diff kaji"), /needs level/);
    expect(denied.content.body).toBe("!diff needs level 2 (contributor); you have 1 (communication).");
  });

  it("refuses to deploy when the commit now builds another path than the approved one", async () => {
    const command = await dep.say(fx.roomId, "!deploy kaji");
    const prompt = await replyTo(command, /^⏳ deploy/, 60_000);
    const approved = /kaji: (\/nix\/store\/\S+) \(built/.exec(String(prompt.content.body))![1]!;
    writeFileSync(join(fake, "fake-drift"), "nixpkgs input moved");
    await fx.admin.react(fx.roomId, prompt.event_id, "✅");
    const job = await replyTo(command, /(^|\n)job \d+ · deploy kaji /);
    const done = await waitForBody(fx.admin, fx.roomId, job.event_id, /succeeded|failed/, 60_000);
    expect(done).toMatch(new RegExp(`failed.*refusing to deploy ${head.slice(0, 7)} to kaji: it now builds /nix/store/\\S+, not the approved ${approved.replaceAll(".", "\\.")} \\(a flake input changed or the build is not reproducible\\); nothing was activated`));
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild" && c[1] !== "dry-activate")).toEqual([]);
    expect(currentOf("kaji")).toBe(INITIAL.replace("misato", "kaji"));
  });

  it("ends a request whose build fails with the build's last lines, asking nothing", async () => {
    writeFileSync(join(fake, "fake-mode.kaji"), "build-error");
    const command = await dep.say(fx.roomId, "!deploy kaji");
    const answer = await replyTo(command, /failed for kaji/, 60_000);
    expect(answer.content.body).toContain(`building ${head.slice(0, 12)} "bump nixpkgs" failed for kaji; nothing was asked or deployed.\nkaji: build failed: nix build failed (exit code 1)`);
    expect(answer.content.body).toContain('nginx: [emerg] unknown directive "proxy_passs"');
    expect(answer.content.body).toContain("error: 1 dependencies of derivation");
    const replies = await fx.admin.repliesTo(fx.roomId, command);
    expect(replies.some((e) => String(e.content.body).startsWith("⏳"))).toBe(false);
    expect(readCalls().filter((c) => c[0] === "nixos-rebuild")).toEqual([]);
  });

  it("runs the build as a job: !cancel kills nix's process group and ends the request, !log keeps its lines", async () => {
    writeFileSync(join(fake, "fake-mode.kaji"), "slow");
    const diff = await contrib.say(fx.roomId, "!diff kaji");
    const progress = await replyTo(diff, /^building \w{12} "bump nixpkgs" to preview it:/);
    const running = await waitForBody(fx.admin, fx.roomId, progress.event_id, /kaji: building… .*\(job \d+; !cancel \d+ stops it\)/);
    const job = /\(job (\d+);/.exec(running)![1]!;
    for (let i = 0; i < 50 && !existsSync(join(fake, "fake-child.pid")); i++) await new Promise((r) => setTimeout(r, 100));
    const leader = Number(readFileSync(join(fake, "fake-leader.pid"), "utf8"));
    const child = Number(readFileSync(join(fake, "fake-child.pid"), "utf8"));
    // Its requester (level 2 may not cancel) or an admin may stop it.
    const cancelled = await replyTo(await fx.admin.say(fx.roomId, `!cancel ${job}`), /^job/);
    expect(cancelled.content.body).toBe(`job ${job} (preview kaji) is being cancelled.`);
    const answer = await replyTo(diff, /^kaji at /, 20_000);
    expect(answer.content.body).toBe(`kaji at ${head.slice(0, 12)} "bump nixpkgs":\nkaji: cancelled by ${fx.admin.userId}`);
    await waitForBody(fx.admin, fx.roomId, progress.event_id, new RegExp(`kaji: cancelled by ${fx.admin.userId.replace(/[.]/g, "\\.")} \\(!log ${job}\\)$`));
    const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    for (let i = 0; i < 50 && (alive(leader) || alive(child)); i++) await new Promise((r) => setTimeout(r, 100));
    expect([alive(leader), alive(child)]).toEqual([false, false]);
    const log = await replyTo(await contrib.say(fx.roomId, `!log ${job}`), /preview kaji/);
    expect(log.content.body).toMatch(new RegExp(`^job ${job} · preview kaji · cancelled after \\d+ s: cancelled by ${fx.admin.userId.replace(/[.]/g, "\\.")} — full log`));
  });

  it("a deploy request whose preview is cancelled asks nothing", async () => {
    writeFileSync(join(fake, "fake-mode.misato"), "slow");
    const command = await dep.say(fx.roomId, "!deploy misato");
    const progress = await replyTo(command, /^building \w{12} "bump nixpkgs" to preview it:/);
    const running = await waitForBody(fx.admin, fx.roomId, progress.event_id, /\(job \d+; !cancel/);
    const job = /\(job (\d+);/.exec(running)![1]!;
    await dep.say(fx.roomId, `!cancel ${job}`);
    const answer = await replyTo(command, /was cancelled/, 20_000);
    expect(answer.content.body).toBe(`previewing ${head.slice(0, 12)} "bump nixpkgs" for misato was cancelled by ${dep.userId}; nothing was asked or deployed.`);
    const replies = await fx.admin.repliesTo(fx.roomId, command);
    expect(replies.some((e) => String(e.content.body).startsWith("⏳"))).toBe(false);
  });

  it("folds a long diff: the prompt shows the summary, the whole diff comes as a file (and with !diff)", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `python3.12-pkg${String(i).padStart(2, "0")}: 1.${i}.0 → 1.${i}.1, +${(i + 1) * 10}.0 KiB`);
    const whole = ["linux: 6.6.30 → 6.6.32, +1234.5 KiB", ...lines, "zstd: +9.1 KiB"].join("\n") + "\n";
    writeFileSync(join(fake, "fake-diff"), whole);
    // Another path than the cached previews of kaji: the diff is read anew.
    writeFileSync(join(fake, "fake-drift"), "a long nixpkgs bump");
    const command = await dep.say(fx.roomId, "!deploy kaji");
    const prompt = await replyTo(command, /^⏳ deploy/, 60_000);
    const body = String(prompt.content.body);
    const path = /kaji: (\/nix\/store\/\S+) \(built/.exec(body)![1]!;
    expect(body).toContain("62 changed, 0 added, 0 removed; closure +19.1 MiB");
    expect(body).toContain("linux 6.6.30 → 6.6.32 (+1.2 MiB), python3.12-pkg59 1.59.0 → 1.59.1 (+600.0 KiB)");
    expect(body).toContain(", and 56 more\n");
    expect(body).toContain(`reboot needed: linux changed`);
    expect(body).toContain(`the whole diff (62 packages) is attached as preview-${head.slice(0, 12)}.txt`);
    expect(body).not.toContain("pkg00");
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command);
    expect(file.content.body).toBe(`preview-${head.slice(0, 12)}.txt`);
    const text = (await fx.admin.download(String(file.content.url))).toString("utf8");
    expect(text).toBe(`# kaji: nix store diff-closures ${INITIAL.replace("misato", "kaji")} ${path}\n${whole}`);
    // !diff folds the same way, into a file of its own reply.
    const diff = await contrib.say(fx.roomId, "!diff kaji");
    expect(String((await replyTo(diff, /^kaji at /, 60_000)).content.body)).toContain(`the whole diff (62 packages) is attached as preview-${head.slice(0, 12)}.txt`);
    const diffFile = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === diff);
    expect((await fx.admin.download(String(diffFile.content.url))).toString("utf8")).toBe(text);
  });

  it("builds and diffs a nixos-rebuild-on-host host on the host itself, and says so", async () => {
    // The host's store holds the system it runs (the fakes share one store file).
    appendFileSync(join(fake, "fake-store"), `${INITIAL.replace("misato", "ritsuko")}\n`);
    const answer = await replyTo(await contrib.say(fx.roomId, "!diff ritsuko"), /^ritsuko at /, 60_000);
    const body = String(answer.content.body);
    const path = /ritsuko: (\/nix\/store\/\S+) \(built on ritsuko\)/.exec(body)?.[1];
    expect(path).toMatch(new RegExp(`-nixos-system-ritsuko-25\\.05\\.20250601\\.${head.slice(0, 7)}$`));
    expect(body).toContain("8 changed, 1 added, 1 removed; closure +205.7 MiB");
    expect(body).toContain("units — stop: nginx.service; restart: sshd.service");
    const calls = readCalls();
    expect(calls.find((c) => c[0] === "nix" && c[1] === "build")!.slice(2)).toEqual([`github:team/infra/${head}#nixosConfigurations.ritsuko.config.system.build.toplevel`, "--no-link", "--print-out-paths", "--log-format", "internal-json"]);
    expect(calls.filter((c) => c[0] === "nix").map((c) => c[1])).toEqual(["build", "store"]);
    expect(calls.filter((c) => c[0] === "nixos-rebuild").map((c) => c.slice(1))).toEqual([["dry-activate", "--flake", `github:team/infra/${head}#ritsuko`]]);
    // Nothing was copied to magi: the diff ran where both systems are.
    expect(calls.some((c) => c[0] === "nix" && c[1] === "copy")).toBe(false);
  });
});
