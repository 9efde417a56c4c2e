import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../runners/ssh/exec.ts";
import { parsePublicKeyLine } from "../../runners/ssh/host-key.ts";
import { createSshPool, type SshPool } from "../../runners/ssh/pool.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { countLogins, createSleepMarker, findProcesses, targetOf, waitUntilGone } from "./harness/ssh-helpers.ts";
import { waitUntil } from "../wait-until.ts";

const dir = mkdtempSync(join(tmpdir(), "magi-ssh-e2e-"));
let misato: TestSshd;
let balthasar: TestSshd;
let casper: TestSshd;
let pool: SshPool;

beforeAll(async () => {
  const fakes = join(dir, "fakes");
  mkdirSync(fakes);
  // Stands in for sudo (not installed here): insists on `-n --` and marks the environment.
  const sudo = '#!/bin/sh\n[ "$1" = -n ] && [ "$2" = -- ] || exit 99\nshift 2\nMAGI_VIA_SUDO=yes exec "$@"\n';
  writeFileSync(join(fakes, "sudo"), sudo, { mode: 0o755 });
  [misato, balthasar, casper] = await Promise.all([
    startSshd({ dir, name: "misato", pathPrefix: fakes }),
    startSshd({ dir, name: "balthasar" }),
    startSshd({ dir, name: "casper" }),
  ]);
  pool = createSshPool({ idleMs: 60_000 });
});

afterAll(async () => {
  await pool?.closeAll();
  await Promise.all([misato?.stop(), balthasar?.stop(), casper?.stop()]);
});

describe("runCommand against a real sshd", () => {
  it("passes a nasty argument through without any shell interpreting it", async () => {
    const canary = join(dir, "pwned");
    const nasty = `$(touch ${canary}) \`touch ${canary}\`; touch ${canary} | 'q' "dq" \\ \n2nd line ünï 🔥 * ~ $HOME`;
    const echoed = await runCommand(targetOf(misato), ["echo", nasty], { timeoutMs: 10_000, pool });
    expect(echoed.failed).toBe(false);
    expect(echoed.stdout).toBe(`${nasty}\n`);
    const printed = await runCommand(targetOf(misato), ["printf", "%s", nasty], { timeoutMs: 10_000, pool });
    expect(printed.stdout).toBe(nasty);
    expect(existsSync(canary)).toBe(false);
  });

  it("streams lines in order across stdout and stderr and flushes the last partial line", async () => {
    const lines: string[] = [];
    const script = "for i in 1 2 3; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done; printf partial";
    const result = await runCommand(targetOf(misato), ["sh", "-c", script], {
      timeoutMs: 10_000,
      pool,
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(lines).toEqual(["stdout:out1", "stderr:err1", "stdout:out2", "stderr:err2", "stdout:out3", "stderr:err3", "stdout:partial"]);
    expect(result.stdout).toBe("out1\nout2\nout3\npartial");
    expect(result.stderr).toBe("err1\nerr2\nerr3\n");
  });

  it("reports a non-zero exit code as a failure", async () => {
    const result = await runCommand(targetOf(misato), ["sh", "-c", "echo bad >&2; exit 3"], { timeoutMs: 10_000, pool });
    expect(result).toMatchObject({ exitCode: 3, failed: true, reason: "exit-code", timedOut: false, stderr: "bad\n" });
    expect(result.message).toBe("exited with code 3 on misato");
  });

  it("runs through sudo -n -- when asked", async () => {
    const result = await runCommand(targetOf(misato), ["sh", "-c", 'echo "$MAGI_VIA_SUDO"'], { timeoutMs: 10_000, pool, sudo: true });
    expect(result).toMatchObject({ exitCode: 0, stdout: "yes\n", command: "sudo -n -- 'sh' '-c' 'echo \"$MAGI_VIA_SUDO\"'" });
  });

  it("times out, and the remote process tree is gone afterwards", async () => {
    const marker = createSleepMarker();
    const started = Date.now();
    const result = await runCommand(targetOf(misato), ["sh", "-c", `sleep ${marker} & sleep ${marker}; echo never`], { timeoutMs: 500, pool });
    expect(result).toMatchObject({ timedOut: true, isCanceled: false, failed: true, reason: "timeout", stdout: "" });
    expect(result.message).toBe("timed out after 500 ms on misato");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await waitUntilGone(`sleep ${marker}`)).toEqual([]);
  });

  it("cancels through an AbortSignal and kills the remote command", async () => {
    const marker = createSleepMarker();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runCommand(targetOf(misato), ["sleep", marker], { timeoutMs: 30_000, pool, signal: controller.signal });
    expect(result).toMatchObject({ isCanceled: true, timedOut: false, failed: true, reason: "canceled" });
    expect(await waitUntilGone(`sleep ${marker}`)).toEqual([]);
    const already = await runCommand(targetOf(misato), ["true"], { timeoutMs: 1_000, pool, signal: AbortSignal.abort() });
    expect(already).toMatchObject({ isCanceled: true, exitCode: null });
  });

  it("leaves the command running on a lost connection by default, kills it with onDisconnect: kill", async () => {
    const own = createSshPool();
    const [detached, killed] = [createSleepMarker(), createSleepMarker()];
    const runs = [
      runCommand(targetOf(misato), ["sleep", detached], { timeoutMs: 30_000, pool: own }),
      runCommand(targetOf(misato), ["sleep", killed], { timeoutMs: 30_000, pool: own, onDisconnect: "kill" }),
    ];
    // The connection is lost mid-command: only once both commands run (a loaded machine is slow to start them).
    const running = async () => (await findProcesses(`^sleep ${detached}`)).length === 1 && (await findProcesses(`^sleep ${killed}`)).length === 1;
    await waitUntil("both sleeps to run on misato", running);
    await own.closeAll();
    const results = await Promise.all(runs);
    for (const r of results) expect(r).toMatchObject({ failed: true, reason: "connection-lost" });
    expect(await waitUntilGone(`sleep ${killed}`)).toEqual([]);
    expect(await findProcesses(`^sleep ${detached}`)).toHaveLength(1);
    for (const pid of await findProcesses(`sleep ${detached}`)) process.kill(Number(pid));
  });
});

describe("host key pinning", () => {
  it("refuses a host whose key differs from the pin, naming both fingerprints", async () => {
    const logins = countLogins(misato);
    const result = await runCommand(targetOf(misato, { hostKey: balthasar.hostKeyLine }), ["true"], { timeoutMs: 5_000, pool });
    const expected = parsePublicKeyLine(balthasar.hostKeyLine).fingerprint;
    const got = parsePublicKeyLine(misato.hostKeyLine).fingerprint;
    expect(result).toMatchObject({ failed: true, reason: "host-key-mismatch", hostKeyMismatch: { expected, got } });
    expect(result.message).toBe(`host key of misato changed: expected ${expected}, got ${got}`);
    expect(countLogins(misato)).toBe(logins);
  });

  it("refuses an unpinned target before any network I/O", async () => {
    const listener = createServer((socket) => socket.destroy()).listen(0, "127.0.0.1");
    await once(listener, "listening");
    let connections = 0;
    listener.on("connection", () => (connections += 1));
    const port = (listener.address() as { port: number }).port;
    const result = await runCommand(targetOf(misato, { port, hostKey: "" }), ["true"], { timeoutMs: 5_000, pool });
    listener.close();
    expect(result).toMatchObject({ failed: true, reason: "unpinned", exitCode: null });
    expect(result.message).toBe("refusing to connect to misato: no pinned host key");
    expect(connections).toBe(0);
  });
});

describe("a frozen host", () => {
  it("fails a new connection within the ready timeout", async () => {
    const own = createSshPool({ connect: { readyTimeoutMs: 1_000 } });
    casper.pause();
    try {
      const started = Date.now();
      const result = await runCommand(targetOf(casper), ["true"], { timeoutMs: 30_000, pool: own });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(result).toMatchObject({ failed: true, reason: "connect", exitCode: null });
      expect(result.message).toMatch(/^cannot connect to casper \(.*\): Timed out while waiting for handshake$/);
    } finally {
      casper.resume();
      await own.closeAll();
    }
  });

  it("fails a command on an open connection within the keepalive bound, then reconnects", async () => {
    const own = createSshPool({ connect: { keepaliveIntervalMs: 300, keepaliveCountMax: 2 } });
    try {
      expect((await runCommand(targetOf(casper), ["true"], { timeoutMs: 5_000, pool: own })).failed).toBe(false);
      casper.pause();
      const started = Date.now();
      const result = await runCommand(targetOf(casper), ["echo", "hi"], { timeoutMs: 30_000, pool: own });
      casper.resume();
      // 300 ms × (2 + 1) unanswered pings, plus slack for the event loop.
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(result).toMatchObject({ failed: true, reason: "connection-lost", exitCode: null });
      expect(result.message).toMatch(/Keepalive timeout/);
      const again = await runCommand(targetOf(casper), ["echo", "hi"], { timeoutMs: 5_000, pool: own });
      expect(again).toMatchObject({ failed: false, stdout: "hi\n" });
    } finally {
      casper.resume();
      await own.closeAll();
    }
  });

  it("drops an idle pooled connection whose keepalive times out, without an unhandled error", async () => {
    const own = createSshPool({ connect: { keepaliveIntervalMs: 200, keepaliveCountMax: 1 } });
    try {
      await runCommand(targetOf(casper), ["true"], { timeoutMs: 5_000, pool: own });
      expect(own.countOpen()).toBe(1);
      casper.pause();
      // No command is running, so only the connection's own 'error' listener sees the timeout.
      const deadline = Date.now() + 2_000;
      while (own.countOpen() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(own.countOpen()).toBe(0);
    } finally {
      casper.resume();
      await own.closeAll();
    }
  });
});
