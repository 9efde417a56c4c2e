// kill -9 while an approved !enroll runs sops: after the restart the job is interrupted and the room told, the origin
// has no commit and the key is not pinned, and enrolling again works (one commit, the host decrypts its file).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { adminOnlySopsYaml, createAgeKey, decryptAs, pushSecrets, readEd25519Seed, SOPS, toAgeIdentity } from "./harness/sops-repo.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { waitForBody } from "./harness/test-hosts.ts";

// deploy.flake_dir makes magi check nixos-rebuild is on PATH; enrollment never runs it.
const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));

// Real sops, but while the SLOW file exists updatekeys first says it started and then waits (at most a minute) for
// the file to go: the window in which the test kills magi. An orphaned wrapper ends once the test removes the file.
const SLOW_SOPS = `#!/bin/sh
if [ "$1" = updatekeys ] && [ -e "$MAGI_TEST_SLOW" ]; then
  touch "$MAGI_TEST_SLOW.started"
  i=0
  while [ -e "$MAGI_TEST_SLOW" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
fi
exec "$MAGI_TEST_SOPS" "$@"
`;

describe("!enroll cut off by kill -9", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-enroll-crash-"));
  const slow = join(dir, "slow");
  let fx: MagiFixture;
  let bot: BotProcess;
  let other: TestUser;
  let vps: TestSshd;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;

  const ask = async (user: TestUser, body: string) => (await user.waitForReply(fx.roomId, await user.say(fx.roomId, body), 60_000)).content.body as string;
  const originHead = () => git(repo.origin, "rev-parse", "main");
  const botEnv = () => ({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_TEST_SOPS: SOPS, MAGI_TEST_SLOW: slow });
  const approveEnroll = async () => {
    const command = await fx.admin.say(fx.roomId, "!enroll vps");
    const prompt = await fx.admin.waitForReply(fx.roomId, command, 60_000);
    expect(prompt.content.body).toContain("enroll vps: key SHA256:");
    await other.react(fx.roomId, prompt.event_id, "✅");
    return prompt.event_id;
  };
  const waitFor = async (check: () => boolean, ms: number) => {
    for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 100))) if (Date.now() > end) throw new Error("timed out");
  };

  beforeAll(async () => {
    repo = await createFlakeRepo(dir);
    const admin = await createAgeKey(join(dir, "admin-age.txt"));
    await pushSecrets(repo.seed, repo.origin, { ".sops.yaml": adminOnlySopsYaml(admin.recipient), "secrets/vps/db.yaml": "db_password: hunter2\n" }, "secrets");
    vps = await startSshd({ dir, name: "vps" });
    fx = await createMagiFixture("enroll-crash");
    other = await fx.newUser("second-admin");
    fx.access.users[other.userId] = "admin";
    fx.config.deploy = { flake_dir: repo.checkout };
    writeFileSync(join(dir, "slow-sops"), SLOW_SOPS, { mode: 0o755 });
    fx.config.enroll = { admin_identity_file: admin.path, sops: join(dir, "slow-sops"), rules: { vps: ["secrets/vps/.*"] } };
    fx.config.hosts = { vps: { address: vps.address, ssh: { port: vps.port, user: vps.user, identity_file: vps.clientKeyPath } } };
    bot = await fx.start(botEnv());
  });

  afterAll(async () => {
    rmSync(slow, { force: true });
    await bot?.stop();
    await vps?.stop();
  });

  it("is interrupted, pushes nothing, pins nothing, and a second !enroll succeeds", async () => {
    const before = await originHead();
    writeFileSync(slow, "");
    await approveEnroll();
    await waitFor(() => existsSync(`${slow}.started`), 60_000);
    await bot.kill();
    rmSync(slow);
    // Give an orphaned sops (it runs in the dead job's worktree) the time to finish: still nothing may reach the origin.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await originHead()).toBe(before);

    bot = await fx.start(botEnv());
    const told = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /was interrupted: magi stopped while it was running/.test(String(e.content.body)), 60_000);
    expect(told.content.body).toMatch(/: job \d+ \(enroll vps\) was interrupted: magi stopped while it was running\. It was not re-run; check vps and start it again if it is still needed\./);
    expect(await originHead()).toBe(before);
    expect(await ask(fx.admin, "!status vps")).toMatch(/no pinned host key/);

    const prompt = await approveEnroll();
    expect(await waitForBody(fx.admin, fx.roomId, prompt, /^✅.*(Done|failed)/, 120_000)).toMatch(/Done: 1 succeeded\.$/);
    expect(await git(repo.origin, "rev-list", "--count", `${before}..main`)).toBe("1");
    await git(repo.seed, "pull", "-q", repo.origin, "main");
    const host = toAgeIdentity(readEd25519Seed(join(dir, "vps", "host_ed25519")));
    expect((await decryptAs(host, join(repo.seed, "secrets/vps/db.yaml"))).stdout).toBe("db_password: hunter2\n");
    expect(await ask(fx.admin, "!status vps")).not.toMatch(/pinned host key|refusing/);
  });
});
