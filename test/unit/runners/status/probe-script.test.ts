// Runs the real probe script under the local sh, with stub tools on PATH, and parses what it prints.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../../wait-until.ts";
import { readProbeReport } from "../../../../runners/status/parse-sections.ts";
import { buildProbeArgv, chooseWatchdogSeconds, PROBE_MARK, PROBE_SCRIPT } from "../../../../runners/status/probe-script.ts";
import { OUTPUTS } from "./make-result.ts";

const root = mkdtempSync(join(tmpdir(), "magi-probe-script-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A PATH of stub tools (shell scripts) plus the few real ones the script itself needs.
function makePath(name: string, stubs: Record<string, string>, real: string[]): { path: string; tmp: string } {
  const dir = join(root, name);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  for (const [tool, body] of Object.entries(stubs)) {
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  for (const tool of real) symlinkSync(`/usr/bin/${tool}`, join(dir, tool));
  return { path: dir, tmp };
}

// Prints text exactly, whatever it contains.
const print = (text: string) => `printf '%s' '${text.replaceAll("'", `'\\''`)}'`;

const STUBS = {
  readlink: `${print("/nix/store/a-nixos-system-h\n")}; echo "readlink: /nix/var/nix/profiles/system: No such file or directory" >&2; exit 1`,
  "nixos-version": print(OUTPUTS.nixos),
  systemctl: print("[]\n"),
  zpool: print(OUTPUTS.zfsHealthy),
  df: print(OUTPUTS.df),
};

// Live (not zombie) processes in a process group; this sandbox's init is slow to reap orphans.
function listLiveInGroup(pgid: number): string[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).filter((pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return fields[0] !== "Z" && Number(fields[2]) === pgid;
    } catch {
      return false;
    }
  });
}

// The group's live processes once it emptied, or at the deadline: a KILL to a group lands at once,
// but each process takes a moment to die, so the script can end a hair before its last probe.
async function waitForEmptyGroup(pgid: number, timeoutMs = 3_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = listLiveInGroup(pgid);
    if (live.length === 0 || Date.now() > deadline) return live;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The real tools the script itself needs: rm for its files, sleep for its watchdog.
const REAL = ["rm", "sleep"];

// Starts the script the way sshd does: in a session (and process group) of its own, stdin a pipe
// the runner holds open for control lines.
function startScript(env: { path: string; tmp: string }, watchdog = "20") {
  const [sh, ...args] = buildProbeArgv(watchdog);
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(`/usr/bin/${sh}`, args, { env: { PATH: env.path, TMPDIR: env.tmp }, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const started = Date.now();
  const ended = new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, ms: Date.now() - started })),
  );
  return { child, ended, stdout: () => stdout };
}

// Runs the script to its end as magi does: stdin stays open until the session is over.
async function runScript(env: { path: string; tmp: string }) {
  const run = startScript(env);
  const end = await run.ended;
  run.child.stdin.end();
  return { ...end, stdout: run.stdout() };
}

// Waits until the script has printed the sections of these probes.
async function waitForSections(stdout: () => string, names: string[]): Promise<void> {
  await waitUntil(`sections ${names.join(", ")}`, () => names.every((n) => readProbeReport(stdout()).sections[n as "zfs"]), { timeoutMs: 5_000, describe: () => JSON.stringify(stdout()) });
}

const UPTIME_AND_LOAD = /^\d+\.\d+ \d+\.\d+\n\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\n$/;

describe("the probe script", () => {
  it("prints one section per probe, each exactly as the tool printed it, and removes its files", async () => {
    const env = makePath("all", STUBS, REAL);
    const { stdout, code } = await runScript(env);
    const report = readProbeReport(stdout);
    expect(code).toBe(0);
    expect(report.sections.proc?.stdout).toMatch(UPTIME_AND_LOAD);
    expect({ ...report.sections, proc: undefined }).toEqual({
      proc: undefined,
      links: { stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: /nix/var/nix/profiles/system: No such file or directory\n", exitCode: 1 },
      nixos: { stdout: OUTPUTS.nixos, stderr: "", exitCode: 0 },
      units: { stdout: "[]\n", stderr: "", exitCode: 0 },
      zfs: { stdout: OUTPUTS.zfsHealthy, stderr: "", exitCode: 0 },
      disks: { stdout: OUTPUTS.df, stderr: "", exitCode: 0 },
    });
    expect(readdirSync(env.tmp)).toEqual([]);
  });

  it("sends finished sections while a probe hangs, and a TERM line kills every probe, even one ignoring TERM", async () => {
    const hung = { ...STUBS, zpool: `${print("  pool: tank\n")}; trap '' TERM; exec /usr/bin/sleep 30` };
    const env = makePath("term", hung, REAL);
    const run = startScript(env);
    await waitForSections(run.stdout, ["proc", "links", "nixos", "units", "disks"]);
    expect(Object.keys(readProbeReport(run.stdout()).sections).sort()).toEqual(["disks", "links", "nixos", "proc", "units"]);
    expect(readdirSync(env.tmp)).toHaveLength(12);
    run.child.stdin.write("TERM\n");
    const end = await run.ended;
    expect(end.signal).toBe("SIGKILL");
    expect(end.ms).toBeLessThan(5_000);
    expect(readdirSync(env.tmp)).toEqual([]);
    expect(await waitForEmptyGroup(run.child.pid!)).toEqual([]);
  });

  it("kills every probe when its stdin closes: magi or the connection went away", async () => {
    const env = makePath("eof", { ...STUBS, df: "exec /usr/bin/sleep 30" }, REAL);
    const run = startScript(env);
    await waitForSections(run.stdout, ["nixos"]);
    run.child.stdin.end();
    expect((await run.ended).signal).toBe("SIGKILL");
    expect(readdirSync(env.tmp)).toEqual([]);
    expect(await waitForEmptyGroup(run.child.pid!)).toEqual([]);
  });

  it("stops by itself after the watchdog's seconds when nobody tells it anything (a partition)", async () => {
    const env = makePath("watchdog", { ...STUBS, systemctl: "exec /usr/bin/sleep 30" }, REAL);
    const run = startScript(env, "1");
    const end = await run.ended;
    run.child.stdin.end();
    expect(end.signal).toBe("SIGKILL");
    expect(end.ms).toBeGreaterThanOrEqual(900);
    expect(end.ms).toBeLessThan(5_000);
    expect(Object.keys(readProbeReport(run.stdout()).sections)).not.toContain("units");
    expect(readdirSync(env.tmp)).toEqual([]);
    expect(await waitForEmptyGroup(run.child.pid!)).toEqual([]);
  });

  it("leaves no watchdog behind after a normal run", async () => {
    const env = makePath("clean", STUBS, REAL);
    const run = startScript(env);
    expect((await run.ended).code).toBe(0);
    // Within 3 s, while the watchdog's own sleep (20 s) would still be running.
    expect(await waitForEmptyGroup(run.child.pid!)).toEqual([]);
    run.child.stdin.end();
  });

  it("stops with a clear message and prints no sections when it cannot create its files", async () => {
    const env = makePath("no-tmp", STUBS, REAL);
    const run = startScript({ ...env, tmp: join(env.tmp, "missing") });
    let stderr = "";
    run.child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const end = await run.ended;
    run.child.stdin.end();
    expect(end.code).toBe(70);
    expect(stderr).toMatch(/^magi-probe: cannot create \S+\/missing\/magi-probe\.[0-9a-f-]{36}\.proc\.out\n$/);
    expect(readProbeReport(run.stdout()).sections).toEqual({});
  });

  it("reports a probe missing on the host with the shell's 127", async () => {
    const { zpool: _, ...noZpool } = STUBS;
    const report = readProbeReport((await runScript(makePath("no-zpool", noZpool, REAL))).stdout);
    expect(report.sections.zfs?.exitCode).toBe(127);
    expect(report.sections.zfs?.stderr).toMatch(/zpool: not found/);
  });

  it("passes through output that mimics its markers, and output without a final newline", async () => {
    const tricky = `${PROBE_MARK} 00000000-0000-0000-0000-000000000000 exit disks 0\n${PROBE_MARK} $id exit disks 0\n@@magi-probe exit disks 0\n`;
    const env = makePath("tricky", { ...STUBS, df: print(tricky + OUTPUTS.df), systemctl: print("[]") }, REAL);
    const report = readProbeReport((await runScript(env)).stdout);
    expect(report.sections.disks).toEqual({ stdout: tricky + OUTPUTS.df, stderr: "", exitCode: 0 });
    expect(report.sections.units?.stdout).toBe("[]\n");
  });
});

describe("buildProbeArgv", () => {
  it("passes the constant script and nothing but a whole number", () => {
    expect(buildProbeArgv("15")).toEqual(["sh", "-c", PROBE_SCRIPT, "magi-probe", "15"]);
    expect(() => buildProbeArgv("1; reboot")).toThrow(/bad probe watchdog/);
    expect(() => buildProbeArgv("")).toThrow(/bad probe watchdog/);
    expect(() => buildProbeArgv("0")).toThrow(/bad probe watchdog/);
  });

  it("sets the watchdog past magi's deadline and kill grace", () => {
    expect(chooseWatchdogSeconds(10_000)).toBe("15");
    expect(chooseWatchdogSeconds(2_500)).toBe("8");
    expect(chooseWatchdogSeconds(120_000)).toBe("125");
  });
});
