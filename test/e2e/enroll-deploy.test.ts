// !enroll --deploy: after the enrollment's commit is pushed, magi deploys the host at that commit through the normal
// deploy path (fake nixos-rebuild: the one tool that can't run here) and checks over real SSH that the configured
// secret files exist and are non-empty on the host; the final message says what was proven.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { adminOnlySopsYaml, createAgeKey, pushSecrets, SOPS } from "./harness/sops-repo.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));
const INITIAL = "/nix/store/6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-vps-25.05.20250501.0e9c1f2";

describe("!enroll --deploy", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-enroll-deploy-"));
  const calls = join(dir, "fake", "calls");
  // What sops-nix would have decrypted on the host (the second one goes empty in the last test).
  const written = join(dir, "host-run", "secrets", "db_password");
  const token = join(dir, "host-run", "secrets", "api_token");
  let fx: MagiFixture;
  let bot: BotProcess;
  let other: TestUser;
  let vps: TestSshd;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;


  beforeAll(async () => {
    mkdirSync(join(dir, "fake"));
    mkdirSync(join(dir, "host-run", "secrets"), { recursive: true });
    writeFileSync(written, "hunter2\n");
    writeFileSync(token, "t0k3n\n");
    repo = await createFlakeRepo(dir);
    const admin = await createAgeKey(join(dir, "admin-age.txt"));
    await pushSecrets(repo.seed, repo.origin, { ".sops.yaml": adminOnlySopsYaml(admin.recipient), "secrets/vps/db.yaml": "db_password: hunter2\n" }, "secrets");
    vps = await startSshd({ dir, name: "vps", pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    fx = await createMagiFixture("enroll-deploy");
    other = await fx.newUser("second-admin");
    fx.access.users[other.userId] = "admin";
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.enroll = { admin_identity_file: admin.path, sops: SOPS, rules: { vps: ["secrets/vps/.*"] }, verify_paths: [written, token] };
    fx.config.hosts = { vps: { address: vps.address, ssh: { port: vps.port, user: vps.user, identity_file: vps.clientKeyPath }, deploy: { method: "nixos-rebuild" } } };
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: `/proc/${vps.pid}/root/run` });
  });

  afterAll(async () => {
    await bot?.stop();
    await vps?.stop();
  });

  // Asks for the enrollment, has the second admin approve it, and returns the prompt and the job's final text.
  const enrollApproved = async (body: string) => {
    const command = await fx.admin.say(fx.roomId, body);
    const prompt = await fx.admin.waitForReply(fx.roomId, command, 60_000);
    await other.react(fx.roomId, prompt.event_id, "✅");
    const job = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && /job \d+ · enroll vps/.test(String(e.content.body)), 60_000);
    return { prompt: String(prompt.content.body), ended: await waitForBody(fx.admin, fx.roomId, job.event_id, /job \d+ · enroll vps · (succeeded|failed)/, 180_000) };
  };
  // The nixos-rebuild switches the fake saw since the last call, and the commit each built.
  let seen = 0;
  const readSwitches = () => {
    const lines = readFileSync(`${calls}.context`, "utf8").split("\n").filter((l) => l.startsWith("nixos-rebuild\t"));
    const fresh = lines.slice(seen);
    seen = lines.length;
    return fresh.map((l) => /\thead=([0-9a-f]+)/.exec(l)?.[1]);
  };

  it("deploys the host at the enrollment's commit and says the configured secrets are there", async () => {
    const before = await git(repo.origin, "rev-parse", "main");
    const { prompt, ended } = await enrollApproved("!enroll vps --deploy");
    expect(prompt).toContain(`re-encrypts secrets/vps/db.yaml; then deploys vps at the new commit and checks ${written}, ${token} there. Compare with`);
    const sha = await git(repo.origin, "rev-parse", "main");
    expect(await git(repo.origin, "rev-list", "--count", `${before}..main`)).toBe("1");
    expect(ended).toContain(`succeeded`);
    expect(ended).toContain(`key pinned. Deployed ${sha.slice(0, 12)} to vps, and it reads its secrets: ${written}, ${token} exist and are non-empty there.`);
    // The normal deploy path ran, once, at exactly the pushed commit.
    expect(readSwitches()).toEqual([sha]);
  });

  it("after a reinstall, --replace --deploy names the secret file that is empty on the host and fails", async () => {
    await vps.stop();
    rmSync(join(dir, "vps", "host_ed25519"), { force: true });
    rmSync(join(dir, "vps", "host_ed25519.pub"), { force: true });
    vps = await startSshd({ dir, name: "vps", port: vps.port, pathPrefix: FAKES, env: { MAGI_FAKE_CALLS: calls, MAGI_FAKE_RUN_DIR: "/run" }, runLinks: { "current-system": INITIAL } });
    writeFileSync(token, "");
    // A lock on the host refuses the deploy before anyone is asked to approve.
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!lock vps kernel upgrade"), 60_000);
    const refused = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!enroll vps --replace --deploy"), 60_000);
    expect(refused.content.body).toMatch(new RegExp(`^refusing to enroll and deploy: vps is locked by ${fx.admin.userId} since \\d\\d:\\d\\d UTC: kernel upgrade\\. !unlock vps first, or enroll without --deploy\\.$`));
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!unlock vps"), 60_000);
    const { ended } = await enrollApproved("!enroll vps --replace --deploy");
    const sha = await git(repo.origin, "rev-parse", "main");
    expect(ended).toContain("failed");
    expect(ended).toContain(`Deployed ${sha.slice(0, 12)} to vps, but ${token} is missing or empty on vps: it may not read its secrets.`);
    expect(readSwitches()).toEqual([sha]);
  });
});
