// The check magi sends a host about a command that outlived its restart, run by a real shell
// against real processes (the host here is this machine), and the decision drawn from its answer.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { TrackedProcess } from "../../../../runners/jobs/tracked-process.ts";
import { readProcessIdentity } from "../../../../runners/proc/process-identity.ts";
import { buildCheckArgv, buildCleanupArgv, decideRemote, parseCheckOutput } from "../../../../runners/proc/remote-check.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Runs an argv as the SSH runner would on the host, without the SSH.
async function run(argv: string[]): Promise<string> {
  const [file, ...args] = argv;
  return (await execa(file!, args)).stdout;
}

// A process to ask about, and what a job row would hold for it.
function startProcess(statusDir?: string): { tracked: TrackedProcess; stop: () => void } {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  const tracked: TrackedProcess = { ...readProcessIdentity(child.pid!)!, name: "nixos-rebuild", host: "misato", ...(statusDir ? { statusDir } : {}) };
  return { tracked, stop: () => child.kill("SIGKILL") };
}

describe("the remote check", () => {
  it("says a process with the recorded pid, start time and boot is running", async () => {
    const { tracked, stop } = startProcess();
    try {
      expect(decideRemote(tracked, parseCheckOutput(await run(buildCheckArgv(tracked)))!)).toEqual({ kind: "running" });
    } finally {
      stop();
    }
  });

  it("says it ended, with the exit status the wrapper left, once it is gone; the cleanup removes only the wrapper's files", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "magi-check-")), "magi-Ab3dE5gH9k");
    mkdirSync(dir);
    const { tracked, stop } = startProcess(dir);
    stop();
    await sleep(100);
    writeFileSync(join(dir, "status"), "4\n");
    writeFileSync(join(dir, "gone"), "");
    expect(decideRemote(tracked, parseCheckOutput(await run(buildCheckArgv(tracked)))!)).toEqual({ kind: "ended", exitCode: 4, rebooted: false });
    await run(buildCleanupArgv(dir));
    expect(existsSync(dir)).toBe(false);
  });

  it("does not take a process that reused the pid for the recorded one", async () => {
    const { tracked, stop } = startProcess();
    try {
      const other = { ...tracked, startTicks: tracked.startTicks - 1 };
      expect(decideRemote(other, parseCheckOutput(await run(buildCheckArgv(other)))!)).toEqual({ kind: "ended", exitCode: null, rebooted: false });
    } finally {
      stop();
    }
  });
});

describe("decideRemote", () => {
  const tracked = { bootId: "b1", startTicks: 500 };
  const stat = (startTicks: number, state = "S") => ({ pid: 42, comm: "nixos-rebuild", state, ppid: 1, pgrp: 42, startTicks });

  it("reads another boot as ended (the host rebooted), believing a status file that survived it", () => {
    expect(decideRemote(tracked, { bootId: "b2", stat: stat(500) })).toEqual({ kind: "ended", exitCode: null, rebooted: true });
    expect(decideRemote(tracked, { bootId: "b2", exitStatus: 0 })).toEqual({ kind: "ended", exitCode: 0, rebooted: true });
  });

  it("reads a zombie as ended, its status maybe not written yet", () => {
    expect(decideRemote(tracked, { bootId: "b1", stat: stat(500, "Z") })).toEqual({ kind: "ended", exitCode: null, rebooted: false });
  });
});

describe("parseCheckOutput", () => {
  it("reads the three labelled lines and ignores a status that is not a number", () => {
    const stat = "42 (nixos-rebuild) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0";
    expect(parseCheckOutput(`boot\tb1\nstat\t${stat}\nstatus\t143\n`)).toMatchObject({ bootId: "b1", stat: { pid: 42, startTicks: 500 }, exitStatus: 143 });
    expect(parseCheckOutput("boot\tb1\nstat\t\nstatus\tgarbage\n")).toEqual({ bootId: "b1" });
  });

  it("refuses an answer without a boot id", () => {
    expect(parseCheckOutput("")).toBeUndefined();
    expect(parseCheckOutput("boot\t\nstat\t\nstatus\t\n")).toBeUndefined();
  });
});
