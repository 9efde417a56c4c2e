import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { takeInstallLock } from "../../../bot/synapse/install-lock.ts";

const lockIn = () => join(mkdtempSync(join(tmpdir(), "magi-lock-")), "venv.lock");

describe("takeInstallLock", () => {
  it("takes a free lock, writes its pid, and removes the file on release", async () => {
    const path = lockIn();
    const release = await takeInstallLock(path);
    expect(readFileSync(path, "utf8")).toBe(String(process.pid));
    release();
    expect(existsSync(path)).toBe(false);
  });

  it("waits while a live process holds the lock, says so once, and takes it when released", async () => {
    const path = lockIn();
    const first = await takeInstallLock(path);
    const waits: number[] = [];
    let taken = false;
    const second = takeInstallLock(path, (pid) => waits.push(pid), 20).then((release) => {
      taken = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(taken).toBe(false);
    expect(waits).toEqual([process.pid]);
    first();
    const release = await second;
    expect(taken).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(String(process.pid));
    release();
  });

  it("takes over a lock left by a process that has exited", async () => {
    const path = lockIn();
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => child.on("exit", resolve));
    writeFileSync(path, String(child.pid));
    const waits: number[] = [];
    const release = await takeInstallLock(path, (pid) => waits.push(pid), 20);
    expect(waits).toEqual([]);
    expect(readFileSync(path, "utf8")).toBe(String(process.pid));
    release();
  });
});
