// The process identity reader against real /proc lines, real processes and a /proc-shaped directory.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseProcStat } from "../../../../runners/proc/parse-proc-stat.ts";
import { isSameProcess, listGroupMembers, readProcessIdentity } from "../../../../runners/proc/process-identity.ts";

// A stat line as Linux prints it, with the given name; fields after the name are those of a real sleep.
const statLine = (pid: number, comm: string, startTicks = 98765) =>
  `${pid} (${comm}) S 4000 ${pid} 4000 0 -1 4194304 93 0 0 0 0 0 0 0 20 0 1 0 ${startTicks} 5636096 228 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;

function fakeProc(entries: Record<number, string>, bootId = "b0075eed-0000-4000-8000-000000000001"): string {
  const root = mkdtempSync(join(tmpdir(), "magi-proc-"));
  mkdirSync(join(root, "sys", "kernel", "random"), { recursive: true });
  writeFileSync(join(root, "sys", "kernel", "random", "boot_id"), `${bootId}\n`);
  for (const [pid, line] of Object.entries(entries)) {
    mkdirSync(join(root, pid));
    writeFileSync(join(root, pid, "stat"), line);
  }
  return root;
}

describe("parseProcStat", () => {
  it("reads pid, name, state, parent, group and start time", () => {
    expect(parseProcStat(statLine(4242, "nixos-rebuild"))).toEqual({ pid: 4242, comm: "nixos-rebuild", state: "S", ppid: 4000, pgrp: 4242, startTicks: 98765 });
  });

  it("counts fields from the last ')' when the name holds spaces and ') '", () => {
    const stat = parseProcStat(statLine(77, "a) R 1 2 3 (b) x", 31337));
    expect(stat).toMatchObject({ pid: 77, comm: "a) R 1 2 3 (b) x", state: "S", ppid: 4000, pgrp: 77, startTicks: 31337 });
  });

  it("refuses what is not a stat line", () => {
    expect(parseProcStat("")).toBeUndefined();
    expect(parseProcStat("12 (sh S 1 2")).toBeUndefined();
    expect(parseProcStat("12 (sh) S 1 12")).toBeUndefined();
  });
});

describe("process identity", () => {
  it("reads this process from the real /proc and knows it is the same one", () => {
    const me = readProcessIdentity(process.pid)!;
    expect(me.pid).toBe(process.pid);
    expect(me.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(me.startTicks).toBeGreaterThan(0);
    expect(isSameProcess(me)).toBe(true);
  });

  it("a pid with a different start time, or from another boot, is not the same process", () => {
    const me = readProcessIdentity(process.pid)!;
    expect(isSameProcess({ ...me, startTicks: me.startTicks + 1 })).toBe(false);
    expect(isSameProcess({ ...me, bootId: "00000000-0000-4000-8000-000000000000" })).toBe(false);
    const root = fakeProc({ 4242: statLine(4242, "nixos-rebuild", 500) });
    const recorded = readProcessIdentity(4242, { procRoot: root })!;
    expect(recorded).toEqual({ bootId: "b0075eed-0000-4000-8000-000000000001", pid: 4242, pgid: 4242, startTicks: 500 });
    expect(isSameProcess(recorded, { procRoot: root })).toBe(true);
    const reused = fakeProc({ 4242: statLine(4242, "nixos-rebuild", 900) });
    expect(isSameProcess(recorded, { procRoot: reused })).toBe(false);
    expect(listGroupMembers(recorded, { procRoot: reused })).toEqual([]);
  });

  it("a zombie leader is gone; its group lives while a later member runs", () => {
    const root = fakeProc({
      4242: statLine(4242, "nixos-rebuild", 500).replace(") S ", ") Z "),
      4250: statLine(4250, "nix", 510).replace(/^(\d+ \(nix\) S \d+) \d+/, "$1 4242"),
    });
    const recorded = { bootId: "b0075eed-0000-4000-8000-000000000001", pid: 4242, pgid: 4242, startTicks: 500 };
    expect(isSameProcess(recorded, { procRoot: root })).toBe(false);
    expect(listGroupMembers(recorded, { procRoot: root }).map((s) => s.pid)).toEqual([4250]);
  });

  it("follows a real process group until its last member ends", async () => {
    const child = spawn("sh", ["-c", "sleep 30 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    const sleeper = Number(await new Promise<string>((resolve) => child.stdout!.once("data", (b: Buffer) => resolve(b.toString()))));
    const recorded = readProcessIdentity(child.pid!)!;
    expect(recorded.pgid).toBe(child.pid);
    expect(listGroupMembers(recorded).map((s) => s.pid)).toEqual([child.pid, sleeper]);
    process.kill(child.pid!, "SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(isSameProcess(recorded)).toBe(false);
    expect(listGroupMembers(recorded).map((s) => s.pid)).toEqual([sleeper]);
    process.kill(sleeper, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    expect(listGroupMembers(recorded)).toEqual([]);
  });
});
