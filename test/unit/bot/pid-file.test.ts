// The pid file `magi reload` signals through: a stale one (its process gone, or its pid now someone else's) gets no signal.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { signalRunning, writePidFile } from "../../../bot/pid-file.ts";

describe("pid file", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-pid-"));

  it("records this process and is removed on a clean stop", () => {
    const path = join(dir, "magi.pid");
    const remove = writePidFile(path);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, bootId: expect.any(String), startTicks: expect.any(Number) });
    remove();
    expect(signalRunning(path, "SIGHUP")).toEqual({ problem: `no magi is running with this config (${path} does not exist)` });
  });

  it("signals the recorded process, and refuses a pid that now names another process", async () => {
    const child = spawn("sleep", ["30"]);
    const path = join(dir, "child.pid");
    await new Promise((r) => child.once("spawn", r));
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const startTicks = Number(readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19]);
    writeFileSync(path, JSON.stringify({ pid: child.pid, pgid: child.pid, bootId, startTicks: startTicks + 1 }));
    expect(signalRunning(path, "SIGTERM")).toEqual({ problem: `the magi in ${path} (pid ${child.pid}) is no longer running` });
    expect(child.exitCode).toBeNull();
    writeFileSync(path, JSON.stringify({ pid: child.pid, pgid: child.pid, bootId, startTicks }));
    const exited = new Promise((r) => child.once("exit", (_code, signal) => r(signal)));
    expect(signalRunning(path, "SIGTERM")).toEqual({ pid: child.pid });
    expect(await exited).toBe("SIGTERM");
  });
});
