// !enroll through a real magi, Synapse, sshd host, git origin, sops and age: the host's key becomes a sops recipient,
// proven by decrypting with the host's own private key converted by the test itself.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { createAgeKey, decryptAs, pushSecrets, readEd25519Seed, SOPS, toAgeIdentity } from "./harness/sops-repo.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { waitForBody } from "./harness/test-hosts.ts";

// deploy.flake_dir makes magi check nixos-rebuild is on PATH; enrollment never runs it.
const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));

// Real sops, but the first updatekeys after the test creates RACE_FLAG first pushes a commit to origin from the
// seed checkout: someone pushed between magi's fetch and its push.
const RACING_SOPS = `#!/bin/sh
if [ "$1" = updatekeys ] && [ -e "$MAGI_TEST_RACE_FLAG" ]; then
  rm -f "$MAGI_TEST_RACE_FLAG"
  (cd "$MAGI_TEST_SEED" && git pull -q origin main && echo "raced" >> NOTES && git add NOTES &&
    git -c user.name=Dan -c user.email=dan@example.org commit -q -m "meanwhile" && git push -q origin main)
fi
exec "$MAGI_TEST_SOPS" "$@"
`;

const SOPS_YAML = (admin: string) => `# secrets of the team; hosts are added by magi
keys:
  - &admin ${admin} # magi's admin identity
creation_rules:
  # the VPS and what every host shares
  - path_regex: secrets/vps/.*
    key_groups:
    - age:
      - *admin
  - path_regex: secrets/common/.*
    key_groups:
    - age:
      - *admin
  - path_regex: secrets/nas/.*
    key_groups:
    - age:
      - *admin
`;

describe("!enroll", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-enroll-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let other: TestUser;
  let vps: TestSshd;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;
  let fingerprint: string;
  let recipient: string;

  const ask = async (user: TestUser, body: string) => (await user.waitForReply(fx.roomId, await user.say(fx.roomId, body), 60_000)).content.body as string;
  const originHead = () => git(repo.origin, "rev-parse", "main");
  const botEnv = () => ({ PATH: `${FAKES}:${process.env.PATH}`, MAGI_TEST_SOPS: SOPS, MAGI_TEST_SEED: repo.seed, MAGI_TEST_RACE_FLAG: join(dir, "race") });
  const hostKeyPath = () => join(dir, "vps", "host_ed25519");
  const fingerprintOf = async (pub: string) => (await execa("ssh-keygen", ["-lf", pub])).stdout.split(" ")[1]!;
  // A reinstall: the same host and port with a freshly generated host key.
  const reinstall = async () => {
    await vps.stop();
    rmSync(hostKeyPath(), { force: true });
    rmSync(`${hostKeyPath()}.pub`, { force: true });
    vps = await startSshd({ dir, name: "vps", port: vps.port });
    const identity = toAgeIdentity(readEd25519Seed(hostKeyPath()));
    return { identity, fingerprint: await fingerprintOf(`${hostKeyPath()}.pub`), recipient: (await execa("age-keygen", ["-y"], { input: identity })).stdout.trim() };
  };
  // Asks for an enrollment, has the second admin approve it, and returns the job's final text and the prompt's.
  const enrollApproved = async (body: string) => {
    const command = await fx.admin.say(fx.roomId, body);
    const prompt = await fx.admin.waitForReply(fx.roomId, command, 60_000);
    return { prompt: prompt.content.body as string, approve: async () => {
      await other.react(fx.roomId, prompt.event_id, "✅");
      const job = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && /job \d+ · enroll vps/.test(String(e.content.body)), 60_000);
      // The job's state, not a log line that mentions a failed git push before the retry.
      return waitForBody(fx.admin, fx.roomId, job.event_id, /job \d+ · enroll vps · (succeeded|failed)/, 120_000);
    } };
  };

  beforeAll(async () => {
    repo = await createFlakeRepo(dir);
    const admin = await createAgeKey(join(dir, "admin-age.txt"));
    await pushSecrets(repo.seed, repo.origin, {
      ".sops.yaml": SOPS_YAML(admin.recipient),
      "secrets/vps/db.yaml": "db_password: hunter2\n",
      "secrets/common/wifi.yaml": "psk: correct horse\n",
      "secrets/nas/backup.yaml": "borg_passphrase: nas only\n",
    }, "secrets for the fleet");
    vps = await startSshd({ dir, name: "vps" });
    fingerprint = (await execa("ssh-keygen", ["-lf", join(dir, "vps", "host_ed25519.pub")])).stdout.split(" ")[1]!;
    // The host's age recipient as age itself derives it from the identity the test computed.
    recipient = (await execa("age-keygen", ["-y"], { input: toAgeIdentity(readEd25519Seed(join(dir, "vps", "host_ed25519"))) })).stdout.trim();
    fx = await createMagiFixture("enroll");
    other = await fx.newUser("second-admin");
    fx.access.users[other.userId] = "admin";
    fx.config.deploy = { flake_dir: repo.checkout };
    writeFileSync(join(dir, "racing-sops"), RACING_SOPS, { mode: 0o755 });
    await git(repo.seed, "remote", "add", "origin", repo.origin);
    fx.config.enroll = { admin_identity_file: admin.path, sops: join(dir, "racing-sops"), rules: { vps: ["secrets/vps/.*", "secrets/common/.*"] } };
    // No host_key: the host is in the inventory but not pinned yet.
    fx.config.hosts = {
      vps: { address: vps.address, ssh: { port: vps.port, user: vps.user, identity_file: vps.clientKeyPath } },
      lab: { address: "127.0.0.1", ssh: { port: 1, user: vps.user } },
    };
    bot = await fx.start(botEnv());
  });

  afterAll(async () => {
    await bot?.stop();
    await vps?.stop();
  });

  it("refuses bad input with a clear reply and changes nothing", async () => {
    const before = await originHead();
    const stranger = (await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "stranger")])) && readFileSync(join(dir, "stranger.pub"), "utf8").trim();
    const strangerFp = (await execa("ssh-keygen", ["-lf", join(dir, "stranger.pub")])).stdout.split(" ")[1];
    expect(await ask(fx.admin, `!enroll vps ${stranger}`)).toBe(`vps presents ${fingerprint}, not the pasted key (${strangerFp}). Nothing was changed.`);
    expect(await ask(fx.admin, "!enroll nope")).toBe("unknown host nope: !hosts lists the hosts magi knows");
    expect(await ask(fx.admin, "!enroll vps ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC")).toBe("enrollment takes the host's ssh-ed25519 key: the key is ssh-rsa, not ssh-ed25519");
    expect(await ask(fx.admin, "!enroll vps ssh-ed25519 AAAA!!")).toBe("that is not an OpenSSH public key: paste the whole line, like ssh-ed25519 AAAAC3Nz…");
    expect(await ask(fx.admin, "!enroll lab")).toBe("no creation rule is meant for lab: list its .sops.yaml path_regex values under enroll.rules.lab (or one of its tags) in magi's config");
    expect(await ask(other, "!enroll vps --force")).toBe("unknown option --force (the options are --replace and --deploy). Usage: !enroll <host> [ssh-ed25519 AAAA…] [--replace] [--deploy]");
    expect(await ask(fx.admin, "!recipients nope")).toBe("unknown host nope: !hosts lists the hosts magi knows");
    expect(await ask(fx.admin, "!recipients vps")).toBe(`.sops.yaml has no &vps anchor at ${before.slice(0, 12)}, so vps can decrypt no secrets file yet: !enroll vps adds it`);
    expect(await ask(fx.admin, "!hosts")).toContain("not pinned (!enroll)");
    expect(await originHead()).toBe(before);
  });

  it("enrolls the host after another admin approves: one commit, the host decrypts its files and only those, the key is pinned", async () => {
    const before = await originHead();
    expect(await ask(fx.admin, "!status vps")).toMatch(/no pinned host key/);
    const command = await fx.admin.say(fx.roomId, "!enroll vps");
    const prompt = await fx.admin.waitForReply(fx.roomId, command, 60_000);
    expect(prompt.content.body).toBe(`⏳ enroll vps: key ${fingerprint}, age recipient ${recipient}; re-encrypts secrets/common/wifi.yaml, secrets/vps/db.yaml. Compare with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on the host's console, then react ✅, requested by ${fx.admin.userId}: react 👍 or ✅ to approve, 👎 or ❌ to reject within 15 min (1 approval from level 4 (admin) or above, not from ${fx.admin.userId}).`);
    await fx.admin.react(fx.roomId, prompt.event_id, "✅");
    await bot.waitForLog((l) => l.msg === "reaction ignored" && l.voter === fx.admin.userId);
    expect(await originHead()).toBe(before);
    await other.react(fx.roomId, prompt.event_id, "✅");
    const done = await waitForBody(fx.admin, fx.roomId, prompt.event_id, /^✅.*(Done|failed)/, 120_000);
    expect(done).toMatch(/Done: 1 succeeded\.$/);

    expect(await git(repo.origin, "rev-list", "--count", `${before}..main`)).toBe("1");
    expect(await git(repo.origin, "log", "-1", "--format=%B", "main")).toBe(`enroll vps: ${recipient} (${fingerprint})\n\nRequested-by: ${fx.admin.userId}\nApproved-by: ${other.userId}`);
    await git(repo.seed, "pull", "-q", repo.origin, "main");
    const sopsYaml = readFileSync(join(repo.seed, ".sops.yaml"), "utf8");
    expect(sopsYaml).toContain(`  - &admin `);
    expect(sopsYaml).toContain(`  - &vps ${recipient}\n`);
    expect(sopsYaml).toContain("# the VPS and what every host shares\n  - path_regex: secrets/vps/.*\n    key_groups:\n    - age:\n      - *admin\n      - *vps\n");
    expect(sopsYaml).toContain("  - path_regex: secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n");
    const host = toAgeIdentity(readEd25519Seed(join(dir, "vps", "host_ed25519")));
    expect((await decryptAs(host, join(repo.seed, "secrets/vps/db.yaml"))).stdout).toBe("db_password: hunter2\n");
    expect((await decryptAs(host, join(repo.seed, "secrets/common/wifi.yaml"))).stdout).toBe("psk: correct horse\n");
    const nas = await decryptAs(host, join(repo.seed, "secrets/nas/backup.yaml"));
    expect(nas.exitCode).not.toBe(0);
    expect(nas.stdout).not.toContain("nas only");

    // Pinned: magi now connects to the host it had no key for.
    expect(await ask(fx.admin, "!status vps")).not.toMatch(/pinned host key|refusing/);
    expect((await ask(fx.admin, "!hosts")).replace(/\s+/g, " ")).toContain(`vps address: ${vps.address} · tags: · host key: ${fingerprint.slice(0, "SHA256:".length + 12)}… (enrolled by ${fx.admin.userId} `);
    expect(await ask(fx.admin, "!recipients vps")).toBe(`vps (${recipient}) can decrypt 2 files at ${(await originHead()).slice(0, 12)}: secrets/common/wifi.yaml, secrets/vps/db.yaml`);
  });

  it("keeps the pin across a restart, and says a second enrollment of the same key is a no-op and commits nothing", async () => {
    const before = await originHead();
    await bot.stop();
    bot = await fx.start(botEnv());
    expect(await ask(fx.admin, "!status vps")).not.toMatch(/pinned host key|refusing/);
    expect(await ask(fx.admin, "!enroll vps")).toBe(`vps is already enrolled: its key ${fingerprint} is pinned, and ${recipient} is in .sops.yaml and in all 2 of its files. Nothing was changed.`);
    expect(await originHead()).toBe(before);
  });

  it("re-enrolls a reinstalled host with --replace: bound to the approved key, a sops failure pushes nothing, then the old recipient is gone", async () => {
    const old = { identity: toAgeIdentity(readEd25519Seed(hostKeyPath())), fingerprint, recipient };
    const before = await originHead();
    const second = await reinstall();
    expect(await ask(fx.admin, "!enroll vps")).toBe(`vps presents ${second.fingerprint}, but magi pinned ${old.fingerprint} for it. If it was reinstalled, use !enroll vps --replace; otherwise this may be a man in the middle`);
    expect(await ask(fx.admin, "!status vps")).toContain(`host key of vps changed: expected ${old.fingerprint}, got ${second.fingerprint}`);

    // Approved for the second key, but the host presents a third by the time the job runs.
    const bound = await enrollApproved("!enroll vps --replace");
    expect(bound.prompt).toContain(`enroll vps: key ${second.fingerprint}, age recipient ${second.recipient}; replaces ${old.fingerprint} (${old.recipient}), whose recipient is removed;`);
    const third = await reinstall();
    expect(await bound.approve()).toContain(`vps now presents ${third.fingerprint}, not the approved ${second.fingerprint}: the approval was for that key only. Nothing was changed.`);
    expect(await originHead()).toBe(before);

    // magi's admin identity can't decrypt (sops exits 128): nothing is pushed, nothing pinned.
    const adminKey = join(dir, "admin-age.txt");
    copyFileSync(adminKey, `${adminKey}.real`);
    await createAgeKey(join(dir, "wrong-age.txt"));
    copyFileSync(join(dir, "wrong-age.txt"), adminKey);
    const broken = await enrollApproved("!enroll vps --replace");
    expect(await broken.approve()).toMatch(/sops cannot decrypt secrets\/common\/wifi\.yaml with magi's admin identity \(enroll\.admin_identity_file\): is its age key among the file's recipients\?\. Nothing was changed\./);
    expect(await originHead()).toBe(before);
    expect(await ask(fx.admin, "!status vps")).toContain(`expected ${old.fingerprint}, got ${third.fingerprint}`);
    copyFileSync(`${adminKey}.real`, adminKey);

    // Someone pushes while magi re-encrypts: the rejected push is retried once on the new head.
    const replaced = await enrollApproved("!enroll vps --replace");
    writeFileSync(join(dir, "race"), "");
    expect(await replaced.approve()).toMatch(new RegExp(`enrolled vps: ${third.recipient} \\(${third.fingerprint.replace(/[+/]/g, "\\$&")}\\) can now decrypt 2 files`));
    expect(existsSync(join(dir, "race"))).toBe(false);
    expect(await git(repo.origin, "log", "--format=%s", `${before}..main`)).toBe(`enroll vps: ${third.recipient} (${third.fingerprint})\nmeanwhile`);
    await git(repo.seed, "pull", "-q", repo.origin, "main");
    const sopsYaml = readFileSync(join(repo.seed, ".sops.yaml"), "utf8");
    expect(readFileSync(join(repo.seed, "NOTES"), "utf8")).toBe("raced\n");
    expect(sopsYaml).toContain(`  - &vps ${third.recipient}\n`);
    expect(sopsYaml).not.toContain(old.recipient);
    expect((await decryptAs(third.identity, join(repo.seed, "secrets/vps/db.yaml"))).stdout).toBe("db_password: hunter2\n");
    expect((await decryptAs(old.identity, join(repo.seed, "secrets/vps/db.yaml"))).exitCode).not.toBe(0);
    expect(await ask(fx.admin, "!status vps")).not.toMatch(/host key|pinned|refusing/);
  });

  it("!recipients flags a file .sops.yaml gives to a host that is not re-encrypted for it yet", async () => {
    await git(repo.seed, "pull", "-q", repo.origin, "main");
    const sopsYaml = readFileSync(join(repo.seed, ".sops.yaml"), "utf8");
    writeFileSync(join(repo.seed, ".sops.yaml"), sopsYaml.replace("  - path_regex: secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n", "  - path_regex: secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n      - *vps\n"));
    await git(repo.seed, "commit", "-q", "-am", "vps may read the nas backup key");
    await git(repo.seed, "push", "-q", repo.origin, "main");
    const all = await ask(fx.admin, "!recipients");
    expect(all).toContain("secrets/nas/backup.yaml: not re-encrypted for vps yet (.sops.yaml names it; sops updatekeys adds it)");
    expect(all).toMatch(/admin\s*\|?\s*secrets\/common\/wifi\.yaml, secrets\/nas\/backup\.yaml, secrets\/vps\/db\.yaml/);
    expect(await ask(fx.admin, "!recipients vps")).toContain("can decrypt 2 files");
  });
});
