import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../wait-until.ts";
import { runCommand } from "../../runners/ssh/exec.ts";
import { createSshPool } from "../../runners/ssh/pool.ts";
import { listProcessTree, signalEach } from "./harness/procs.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { countLogins, targetOf } from "./harness/ssh-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "magi-ssh-pool-"));
let melchior: TestSshd;

beforeAll(async () => {
  melchior = await startSshd({ dir, name: "melchior" });
});

afterAll(async () => {
  await melchior?.stop();
});

// Waits until check() holds, failing with what was awaited if it never does.
const waitFor = (check: () => boolean, timeoutMs = 3_000) => waitUntil("the pool's connections to settle", check, { timeoutMs }).then(() => undefined);

describe("SSH connection pool", () => {
  it("shares one connection between concurrent and back-to-back commands", async () => {
    const pool = createSshPool();
    const before = countLogins(melchior);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => runCommand(targetOf(melchior), ["sh", "-c", `sleep 0.2; echo ${i}`], { timeoutMs: 10_000, pool })),
    );
    expect(results.map((r) => r.stdout)).toEqual(["1\n", "2\n", "3\n", "4\n", "5\n"]);
    expect((await runCommand(targetOf(melchior), ["true"], { timeoutMs: 5_000, pool })).failed).toBe(false);
    expect(countLogins(melchior) - before).toBe(1);
    expect(pool.countOpen()).toBe(1);
    await pool.closeAll();
    expect(pool.countOpen()).toBe(0);
  });

  it("queues commands beyond the per-connection session limit instead of failing them", async () => {
    const pool = createSshPool({ maxSessionsPerConnection: 4 });
    const before = countLogins(melchior);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => runCommand(targetOf(melchior), ["sleep", "0.2"], { timeoutMs: 10_000, pool })),
    );
    expect(results.filter((r) => r.failed)).toEqual([]);
    expect(countLogins(melchior) - before).toBe(1);
    await pool.closeAll();
  });

  it("closes a connection after the idle time and opens a new one on the next command", async () => {
    const pool = createSshPool({ idleMs: 300 });
    const before = countLogins(melchior);
    await runCommand(targetOf(melchior), ["true"], { timeoutMs: 5_000, pool });
    expect(pool.countOpen()).toBe(1);
    await waitFor(() => pool.countOpen() === 0);
    expect(pool.countOpen()).toBe(0);
    await waitFor(() => melchior.log().split("Disconnected from user").length > 1);
    await runCommand(targetOf(melchior), ["true"], { timeoutMs: 5_000, pool });
    expect(countLogins(melchior) - before).toBe(2);
    await pool.closeAll();
  });

  it("drops a broken connection and reconnects on the next command", async () => {
    const pool = createSshPool();
    const before = countLogins(melchior);
    await runCommand(targetOf(melchior), ["true"], { timeoutMs: 5_000, pool });
    // Kill the per-connection sshd processes but keep the listener: the TCP connection dies.
    signalEach(listProcessTree(melchior.pid).slice(1), "SIGKILL");
    await waitFor(() => pool.countOpen() === 0);
    const result = await runCommand(targetOf(melchior), ["echo", "back"], { timeoutMs: 5_000, pool });
    expect(result).toMatchObject({ failed: false, stdout: "back\n" });
    expect(countLogins(melchior) - before).toBe(2);
    await pool.closeAll();
  });
});
