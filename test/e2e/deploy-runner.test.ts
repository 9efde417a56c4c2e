// The deploy runner against a real git repository (bare origin, branch, tags), a real sshd test host
// with a private /run, and the fake deploy tools from test/fakes/deploy on both sides.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listGenerations, rollback, runDeploy, type DeployPlan } from "../../runners/deploy/index.ts";
import { prepareWorktree, resolveRevision } from "../../runners/flake/index.ts";
import type { HostEntry } from "../../runners/inventory.ts";
import type { JobIO } from "../../runners/jobs/types.ts";
import { createSshPool, type SshPool } from "../../runners/ssh/index.ts";
import { git } from "./harness/flake-repo.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { targetOf } from "./harness/ssh-helpers.ts";

const FAKES = resolve(import.meta.dirname, "../fakes/deploy");
const dir = mkdtempSync(join(tmpdir(), "magi-deploy-e2e-"));
const calls = join(dir, "fake", "calls");
const flakeDir = join(dir, "flake");
const worktrees = join(dir, "worktrees");
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const sha: Record<"c1" | "c2" | "c3" | "c4", string> = { c1: "", c2: "", c3: "", c4: "" };
let sshd: TestSshd;
let host: HostEntry;
let pool: SshPool;
let localEnv: Record<string, string>;

async function commit(cwd: string, file: string, text: string, subject: string): Promise<string> {
  writeFileSync(join(cwd, file), text);
  await git(cwd, "add", file);
  await git(cwd, "commit", "-q", "-m", subject);
  return git(cwd, "rev-parse", "HEAD");
}

function recordIO(signal: AbortSignal = new AbortController().signal) {
  const lines: string[] = [];
  const phases: string[] = [];
  const io: JobIO = { signal, log: (l) => lines.push(l), phase: (p) => phases.push(p) };
  return { io, lines, phases };
}
const readCalls = () => readFileSync(calls, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t"));
const readContext = () => readFileSync(`${calls}.context`, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t"));
const setMode = (mode: string) => writeFileSync(join(dir, "fake", "fake-mode"), mode);
const plan = (over: Partial<DeployPlan>): DeployPlan => ({ host, method: "nixos-rebuild", action: "switch", sha: sha.c4, flakeDir, ...over });
const deploy = (over: Partial<DeployPlan>, io = recordIO().io) => runDeploy(plan(over), io, { env: localEnv, pool, worktreeParent: worktrees, killGraceMs: 1_000 });
// Alive means running or sleeping; a zombie has already died.
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const value = probe();
    if (value !== undefined) return value;
  }
  throw new Error("timed out waiting");
}

beforeAll(async () => {
  const seed = join(dir, "seed");
  const origin = join(dir, "origin.git");
  mkdirSync(seed);
  mkdirSync(join(dir, "fake"));
  mkdirSync(worktrees);
  await git(seed, "init", "-q", "-b", "main");
  sha.c1 = await commit(seed, "flake.nix", "{ outputs = _: { }; }\n", "initial flake");
  await git(seed, "tag", "v1");
  sha.c2 = await commit(seed, "hosts.nix", "{ misato = { }; }\n", "enable k3s on misato");
  await git(dir, "init", "-q", "--bare", origin);
  await git(seed, "push", "-q", origin, "main", "v1");
  await git(dir, "clone", "-q", origin, flakeDir);
  // Everything below reaches the checkout only through resolveRevision's fetch.
  await git(seed, "tag", "-a", "v2", "-m", "release 2");
  await git(seed, "checkout", "-q", "-b", "feature/k3s-upgrade");
  sha.c3 = await commit(seed, "k3s.nix", "{ version = \"1.31\"; }\n", "k3s 1.31");
  await git(seed, "checkout", "-q", "main");
  sha.c4 = await commit(seed, "flake.lock", "{}\n", "bump nixpkgs");
  await git(seed, "push", "-q", origin, "main", "feature/k3s-upgrade", "v2");
  sshd = await startSshd({
    dir, name: "misato", pathPrefix: FAKES,
    env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" },
    runLinks: { "current-system": INITIAL },
  });
  host = { name: "misato", address: sshd.address, tags: [], ssh: { ...targetOf(sshd), sudo: false } };
  // Local fakes reach the host's private /run from outside its mount namespace.
  localEnv = { PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${sshd.pid}/root/run` };
  pool = createSshPool({ idleMs: 60_000 });
});

beforeEach(() => {
  for (const file of [calls, `${calls}.context`, join(dir, "fake", "fake-mode"), join(dir, "fake", "fake-child.pid")]) rmSync(file, { force: true });
  writeFileSync(calls, "");
  writeFileSync(`${calls}.context`, "");
});

afterAll(async () => {
  await pool?.closeAll();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("flake checkout", () => {
  it("fetches, then resolves every kind of ref to the exact commit", async () => {
    expect(await resolveRevision(flakeDir, undefined)).toEqual({ ok: true, sha: sha.c4, subject: "bump nixpkgs", resolvedFrom: "refs/remotes/origin/main" });
    // The checkout's own main is stale at c2: the remote branch wins.
    expect(await resolveRevision(flakeDir, "main")).toMatchObject({ ok: true, sha: sha.c4 });
    expect(await resolveRevision(flakeDir, "origin/main")).toMatchObject({ ok: true, sha: sha.c4 });
    expect(await resolveRevision(flakeDir, "feature/k3s-upgrade")).toEqual({ ok: true, sha: sha.c3, subject: "k3s 1.31", resolvedFrom: "refs/remotes/origin/feature/k3s-upgrade" });
    expect(await resolveRevision(flakeDir, "v2")).toEqual({ ok: true, sha: sha.c2, subject: "enable k3s on misato", resolvedFrom: "refs/tags/v2" });
    expect(await resolveRevision(flakeDir, "v1")).toMatchObject({ ok: true, sha: sha.c1 });
    expect(await resolveRevision(flakeDir, sha.c1.slice(0, 7))).toEqual({ ok: true, sha: sha.c1, subject: "initial flake", resolvedFrom: sha.c1.slice(0, 7) });
  });

  it("refuses bad refs before git sees them and names unknown ones", async () => {
    expect(await resolveRevision(flakeDir, "--upload-pack=id")).toEqual({ ok: false, problem: 'revision "--upload-pack=id" must not start with "-"' });
    expect(await resolveRevision(flakeDir, "nope")).toEqual({ ok: false, problem: 'no branch or tag "nope" on origin' });
    expect(await resolveRevision(flakeDir, "deadbee")).toEqual({ ok: false, problem: 'no branch, tag or commit "deadbee" on origin' });
    expect(await resolveRevision(flakeDir, undefined, { remote: "upstream" })).toMatchObject({ ok: false, problem: expect.stringMatching(/^cannot fetch upstream in .*: git fetch failed: fatal: 'upstream' does not appear to be a git repository$/) });
  });

  it("checks out exactly one commit, detached, and removes it again", async () => {
    const made = await prepareWorktree(flakeDir, sha.c3, { parentDir: worktrees });
    if (!made.ok) throw new Error(made.problem);
    const { dir: wt } = made.worktree;
    expect(await git(wt, "rev-parse", "HEAD")).toBe(sha.c3);
    await expect(execa("git", ["symbolic-ref", "-q", "HEAD"], { cwd: wt })).rejects.toThrow();
    expect(readFileSync(join(wt, "k3s.nix"), "utf8")).toContain("1.31");
    await made.worktree.remove();
    expect(existsSync(wt)).toBe(false);
    expect(await git(flakeDir, "worktree", "list", "--porcelain")).not.toContain(wt);
  });
});

// The chat command resolves (and so fetches) before it deploys; these tests must not rely on the ones above.
const fetchFlake = async () => void (await resolveRevision(flakeDir, undefined));

describe("runDeploy on magi (nixos-rebuild --target-host)", () => {
  beforeAll(fetchFlake);

  it("runs the exact argv on a worktree of the exact commit, with phases and generations", async () => {
    const { io, lines, phases } = recordIO();
    const outcome = await deploy({ sha: sha.c2 }, io);
    const [call] = readCalls();
    expect(call).toEqual(["nixos-rebuild", "switch", "--flake", expect.stringMatching(new RegExp(`^${worktrees}/magi-flake-${sha.c2.slice(0, 12)}-\\w+#misato$`)), "--target-host", `${sshd.user}@127.0.0.1`]);
    const [, cwd, head, dirty, sshOpts] = readContext()[0]!;
    expect([head, dirty]).toEqual([`head=${sha.c2}`, "dirty=0"]);
    // --flake names the worktree by absolute path, so nixos-rebuild runs from magi's own directory.
    expect(cwd).toBe(`cwd=${process.cwd()}`);
    expect(sshOpts).toMatch(new RegExp(`^sshopts=-o BatchMode=yes -p ${sshd.port} -i ${sshd.clientKeyPath} -o UserKnownHostsFile=\\S+/known_hosts -o StrictHostKeyChecking=yes$`));
    expect(existsSync(call![3]!.split("#")[0]!)).toBe(false);
    expect(phases).toEqual(["checkout", "evaluating", "building", "copying", "activating"]);
    expect(lines).toContain("activating the configuration...");
    expect(outcome).toMatchObject({ ok: true, exitCode: 0 });
    expect(outcome.summary).toMatch(new RegExp(`^deployed ${sha.c2.slice(0, 7)} to misato \\(switch\\) in \\d+ s: generation `));
    expect(outcome.generationBefore).toBe(INITIAL.slice("/nix/store/".length));
    expect(outcome.generationAfter).toMatch(new RegExp(`^[0-9a-z]{32}-nixos-system-misato-25\\.05\\.20250601\\.${sha.c2.slice(0, 7)}$`));
    expect(outcome.summary).toContain(`→ ${outcome.generationAfter!.slice(0, 8)}…-nixos-system-misato`);
  });

  it("reports exit 4 as switched with failed units; the new generation is live", async () => {
    setMode("units-failed");
    const outcome = await deploy({});
    expect(outcome).toMatchObject({ ok: false, exitCode: 4, summary: "switched, but units failed: k3s.service, nginx.service (the new generation is live)" });
    expect(outcome.generationAfter).toMatch(new RegExp(`\\.${sha.c4.slice(0, 7)}$`));
  });

  it("reports an evaluation error in the evaluating phase with Nix's error line; nothing switches", async () => {
    setMode("eval-error");
    const { io, phases } = recordIO();
    const outcome = await deploy({}, io);
    expect(outcome).toMatchObject({ ok: false, exitCode: 1, summary: `switch of ${sha.c4.slice(0, 7)} on misato failed while evaluating (nixos-rebuild exit 1): error: attribute 'misato' missing` });
    expect(phases).toEqual(["checkout", "evaluating"]);
    expect(outcome.generationAfter).toBe(outcome.generationBefore);
  });

  it("cancel during a slow build kills the whole process tree", async () => {
    setMode("slow");
    const controller = new AbortController();
    const running = deploy({}, recordIO(controller.signal).io);
    const childPid = await waitFor(() => (existsSync(join(dir, "fake", "fake-child.pid")) ? Number(readFileSync(join(dir, "fake", "fake-child.pid"), "utf8")) : undefined));
    const leaderPid = Number(readFileSync(join(dir, "fake", "fake-leader.pid"), "utf8"));
    expect([isAlive(childPid), isAlive(leaderPid)]).toEqual([true, true]);
    controller.abort();
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: false, cancelled: true, summary: `switch of ${sha.c4.slice(0, 7)} on misato cancelled while building` });
    await waitFor(() => (!isAlive(childPid) && !isAlive(leaderPid) ? true : undefined), 3_000);
  });

  it("a timeout kills the tree too and says so", async () => {
    setMode("slow");
    const outcome = await deploy({ timeoutMs: 1_500 });
    expect(outcome).toMatchObject({ ok: false, timedOut: true, summary: expect.stringMatching(new RegExp(`^switch of ${sha.c4.slice(0, 7)} on misato timed out after \\d+ s while building$`)) });
    const childPid = Number(readFileSync(join(dir, "fake", "fake-child.pid"), "utf8"));
    await waitFor(() => (!isAlive(childPid) ? true : undefined), 3_000);
  });
});

describe("runDeploy with deploy-rs, colmena and on the host", () => {
  beforeAll(fetchFlake);

  it("deploy-rs gets the worktree flake and its action flag", async () => {
    const outcome = await deploy({ method: "deploy-rs", action: "boot", sha: sha.c3 });
    expect(readCalls()).toEqual([["deploy", expect.stringMatching(/#misato$/), "--boot"]]);
    expect(readContext()[0]![2]).toBe(`head=${sha.c3}`);
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.summary).toContain("(boot) in ");
    setMode("units-failed");
    expect((await deploy({ method: "deploy-rs", sha: sha.c3 })).summary)
      .toBe(`activation of ${sha.c3.slice(0, 7)} on misato failed (units failed: k3s.service, nginx.service); deploy rolled it back to the previous generation`);
  });

  it("colmena runs in the worktree", async () => {
    const outcome = await deploy({ method: "colmena", action: "test", sha: sha.c1 });
    expect(readCalls()).toEqual([["colmena", "apply", "test", "--on", "misato"]]);
    const [, cwd, head] = readContext()[0]!;
    expect(cwd).toMatch(new RegExp(`^cwd=${worktrees}/magi-flake-${sha.c1.slice(0, 12)}-`));
    expect(head).toBe(`head=${sha.c1}`);
    expect(outcome).toMatchObject({ ok: true });
  });

  it("nixos-rebuild-on-host runs on the host over SSH with the pinned flake URL", async () => {
    const outcome = await deploy({ method: "nixos-rebuild-on-host", flakeUrl: "git+https://git.example.org/team/infra?rev={rev}" });
    expect(readCalls()).toEqual([["nixos-rebuild", "switch", "--flake", `git+https://git.example.org/team/infra?rev=${sha.c4}#misato`]]);
    expect(outcome).toMatchObject({ ok: true, exitCode: 0 });
    expect(outcome.generationAfter).toMatch(new RegExp(`-nixos-system-misato-25\\.05\\.20250601\\.${sha.c4.slice(0, 7)}$`));
    setMode("eval-error");
    expect((await deploy({ method: "nixos-rebuild-on-host", flakeUrl: "github:team/infra/{rev}" })).summary)
      .toBe(`switch of ${sha.c4.slice(0, 7)} on misato failed while evaluating (nixos-rebuild exit 1): error: attribute 'misato' missing`);
  });
});

describe("generations and rollback on the host", () => {
  it("lists generations from nixos-rebuild list-generations --json", async () => {
    const listed = await listGenerations(host, { pool });
    if (!listed.ok) throw new Error(listed.problem);
    expect(listed.generations.map((g) => [g.generation, g.current, g.specialisations])).toEqual([[42, true, []], [41, false, ["no-k3s"]], [40, false, []]]);
    expect(listed.generations[0]).toMatchObject({ date: "2025-06-01 12:00:04", nixosVersion: "25.05.20250601.a1b2c3d", kernelVersion: "6.12.31" });
    expect(readCalls()).toEqual([["nixos-rebuild", "list-generations", "--json"]]);
  });

  it("rolls back to the previous generation with nixos-rebuild switch --rollback", async () => {
    const outcome = await rollback(host, undefined, recordIO().io, { pool });
    expect(readCalls()).toEqual([["nixos-rebuild", "switch", "--rollback"]]);
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.summary).toMatch(/^rolled misato back to the previous generation in \d+ s: generation /);
    expect(outcome.generationAfter).not.toBe(outcome.generationBefore);
  });

  it("rolls back to a chosen generation: profile first, then switch-to-configuration", async () => {
    const profiles = join(dir, "profiles");
    const gen41 = "0f5w2kx9zq1c7v3m8n4b6p0r2s4y6a8d-nixos-system-misato-25.05.20250527.0e9c1f2";
    for (const [n, name] of [[41, gen41], [42, INITIAL.slice(11)]] as const) {
      mkdirSync(join(dir, "store", name, "bin"), { recursive: true });
      symlinkSync(join(FAKES, "switch-to-configuration"), join(dir, "store", name, "bin", "switch-to-configuration"));
      mkdirSync(profiles, { recursive: true });
      symlinkSync(join(dir, "store", name), join(profiles, `system-${n}-link`));
    }
    symlinkSync("system-42-link", join(profiles, "system"));
    const profile = join(profiles, "system");
    const outcome = await rollback(host, "41", recordIO().io, { pool, systemProfile: profile });
    expect(readCalls()).toEqual([["nix-env", "--profile", profile, "--switch-generation", "41"], [`${profile}/bin/switch-to-configuration`, "switch"]]);
    expect(readlinkSync(profile)).toBe("system-41-link");
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.summary).toMatch(/^rolled misato back to generation 41 in \d+ s: /);
    expect(outcome.generationAfter).toBe(gen41);
    const missing = await rollback(host, "99", recordIO().io, { pool, systemProfile: profile });
    expect(missing.summary).toBe("rollback of misato to generation 99 failed while activating (nix-env exit 1): error: generation 99 does not exist");
    expect(await rollback(host, "4a", recordIO().io, { pool })).toEqual({ ok: false, summary: 'generation must be a number like 42, got "4a"' });
  });
});
