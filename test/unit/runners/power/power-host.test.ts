// A refused power action through a real sshd, job queue and SQLite job log: each line once, the host named once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type TestSshd } from "../../../e2e/harness/sshd.ts";
import { powerHost } from "../../../../runners/power/power-host.ts";
import { createJobQueue } from "../../../../runners/jobs/job-queue.ts";
import { createJobStore } from "../../../../storage/job-store.ts";
import { openDatabase } from "../../../../storage/open-database.ts";

const REFUSING = fileURLToPath(new URL("../../../fakes/power-refused", import.meta.url));

describe("powerHost", () => {
  let demo: TestSshd;

  beforeAll(async () => {
    demo = await startSshd({ dir: mkdtempSync(join(tmpdir(), "magi-power-")), name: "demo", pathPrefix: REFUSING });
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it("logs each stderr line of a refused reboot once and names the host once in the summary", async () => {
    const db = openDatabase(":memory:");
    const store = createJobStore(db);
    const queue = createJobQueue({ store, concurrency: 1, listener: () => {} });
    const host = {
      name: "demo", address: demo.address, tags: [],
      ssh: { name: "demo", address: demo.address, port: demo.port, user: demo.user, identityFile: demo.clientKeyPath, hostKey: demo.hostKeyLine, sudo: false },
    };
    const { job } = queue.submit({ command: "reboot", host: "demo", requester: "@dan:x", roomId: "!r:x", mutating: true, timeoutMs: 60_000, work: (io) => powerHost(host, "reboot", io) });
    const ended = await queue.waitFor(job.id);
    expect(ended).toMatchObject({ state: "failed", exitCode: 1, summary: "systemctl reboot failed on demo" });
    const rows = (db.prepare("SELECT text FROM job_logs WHERE job_id = ? ORDER BY seq").all(job.id) as { text: string }[]).map((r) => r.text).join("");
    expect(rows).toBe("System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n");
    expect(queue.readLog(job.id)).toBe(rows);
  });
});
