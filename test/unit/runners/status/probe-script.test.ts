// Runs the real probe script under the local sh, with stub tools on PATH, and parses what it prints.
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readProbeReport } from "../../../../runners/status/parse-sections.ts";
import { buildProbeArgv, chooseProbeLimit, PROBE_MARK, PROBE_SCRIPT } from "../../../../runners/status/probe-script.ts";
import { OUTPUTS } from "./make-result.ts";

const run = promisify(execFile);
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
  cat: print(OUTPUTS.proc),
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

async function runScript(env: { path: string; tmp: string }, limit: string) {
  const [sh, ...args] = buildProbeArgv(limit);
  const started = Date.now();
  const { stdout } = await run(`/usr/bin/${sh}`, args, { env: { PATH: env.path, TMPDIR: env.tmp } });
  return { stdout, ms: Date.now() - started };
}

describe("the probe script", () => {
  it("prints one section per probe, each exactly as the tool printed it, and cleans up its temp dir", async () => {
    const env = makePath("all", STUBS, ["mktemp", "rm", "timeout", "true"]);
    const { stdout } = await runScript(env, "5.0");
    const report = readProbeReport(stdout);
    expect(report.limit).toBe("5.0");
    expect(report.sections).toEqual({
      proc: { stdout: OUTPUTS.proc, stderr: "", exitCode: 0 },
      links: { stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: /nix/var/nix/profiles/system: No such file or directory\n", exitCode: 1 },
      nixos: { stdout: OUTPUTS.nixos, stderr: "", exitCode: 0 },
      units: { stdout: "[]\n", stderr: "", exitCode: 0 },
      zfs: { stdout: OUTPUTS.zfsHealthy, stderr: "", exitCode: 0 },
      disks: { stdout: OUTPUTS.df, stderr: "", exitCode: 0 },
    });
    expect(readdirSync(env.tmp)).toEqual([]);
  });

  it("cuts off a hung probe at its limit while the others answer, in about the limit, not the sum", async () => {
    const slow = { ...STUBS, zpool: `${print("  pool: tank\n")}; exec /usr/bin/sleep 30`, df: "exec /usr/bin/sleep 1" };
    const { stdout, ms } = await runScript(makePath("hung", slow, ["mktemp", "rm", "timeout", "true"]), "0.5");
    const report = readProbeReport(stdout);
    expect(report.sections.zfs).toEqual({ stdout: "  pool: tank\n", stderr: "", exitCode: 124 });
    expect(report.sections.disks?.exitCode).toBe(124);
    expect(report.sections.nixos).toEqual({ stdout: OUTPUTS.nixos, stderr: "", exitCode: 0 });
    expect(ms).toBeLessThan(1_400);
  });

  it("dies with every probe and removes its temp dir when the runner signals its process group", async () => {
    const env = makePath("cancel", { ...STUBS, df: "exec /usr/bin/sleep 30" }, ["mktemp", "rm", "timeout", "true"]);
    const [sh, ...args] = buildProbeArgv("20.0");
    // detached: its own process group, as the runner's wrapper gives it with setsid.
    const child = spawn(`/usr/bin/${sh}`, args, { env: { PATH: env.path, TMPDIR: env.tmp }, detached: true, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(env.tmp)).toHaveLength(1);
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
    process.kill(-child.pid!, "SIGTERM");
    expect(await exited).toBe(143);
    expect(readdirSync(env.tmp)).toEqual([]);
    expect(listLiveInGroup(child.pid!)).toEqual([]);
  });

  it("runs the probes without a limit, and says so, where timeout is missing", async () => {
    const env = makePath("no-timeout", { ...STUBS, zpool: "echo 'sh: 1: zpool: not found' >&2; exit 127" }, ["mktemp", "rm"]);
    const report = readProbeReport((await runScript(env, "5.0")).stdout);
    expect(report.limit).toBe("none");
    expect(report.sections.zfs).toEqual({ stdout: "", stderr: "sh: 1: zpool: not found\n", exitCode: 127 });
    expect(Object.keys(report.sections)).toHaveLength(6);
  });

  it("reports a probe missing on the host with the shell's 127, with or without timeout", async () => {
    const { zpool: _, ...noZpool } = STUBS;
    for (const real of [["mktemp", "rm", "timeout", "true"], ["mktemp", "rm"]]) {
      const report = readProbeReport((await runScript(makePath(`no-zpool-${real.length}`, noZpool, real), "5.0")).stdout);
      expect(report.sections.zfs?.exitCode).toBe(127);
    }
  });

  it("passes through output that mimics its markers, and output without a final newline", async () => {
    const tricky = `${PROBE_MARK} 00000000-0000-0000-0000-000000000000 exit disks 0\n${PROBE_MARK} $id exit disks 0\n@@magi-probe exit disks 0\n`;
    const env = makePath("tricky", { ...STUBS, df: print(tricky + OUTPUTS.df), systemctl: print("[]") }, ["mktemp", "rm", "timeout", "true"]);
    const report = readProbeReport((await runScript(env, "5.0")).stdout);
    expect(report.sections.disks).toEqual({ stdout: tricky + OUTPUTS.df, stderr: "", exitCode: 0 });
    expect(report.sections.units?.stdout).toBe("[]\n");
  });
});

describe("buildProbeArgv", () => {
  it("passes the constant script and nothing but a number", () => {
    expect(buildProbeArgv("1.6")).toEqual(["sh", "-c", PROBE_SCRIPT, "magi-probe", "1.6"]);
    expect(() => buildProbeArgv("1; reboot")).toThrow(/bad probe limit/);
    expect(() => buildProbeArgv("")).toThrow(/bad probe limit/);
  });

  it("leaves a fifth of the status deadline for the answer to travel", () => {
    expect(chooseProbeLimit(2_000)).toBe("1.6");
    expect(chooseProbeLimit(10_000)).toBe("8.0");
    expect(chooseProbeLimit(1_000)).toBe("0.8");
    expect(chooseProbeLimit(120_000)).toBe("96.0");
  });
});
