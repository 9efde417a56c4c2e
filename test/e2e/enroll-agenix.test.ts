// !enroll with enroll.method agenix through a real magi, Synapse, sshd host, git origin and real age: the host's key
// lands in the keys JSON secrets.nix reads, its files are rekeyed without Nix, and the host's own SSH private key
// decrypts them (age -d -i), while a file not meant for it stays closed to it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createFlakeRepo, git } from "./harness/flake-repo.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";
import { createAgeKey } from "./harness/sops-repo.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { waitForBody } from "./harness/test-hosts.ts";

// deploy.flake_dir makes magi check nixos-rebuild is on PATH; enrollment never runs it.
const FAKES = fileURLToPath(new URL("../fakes/deploy", import.meta.url));

// The secrets.nix docs/enrollment.md describes; agenix would read it, this test only keeps it in the flake.
const SECRETS_NIX = `let
  keys = builtins.fromJSON (builtins.readFile ./keys.json);
  files = builtins.fromJSON (builtins.readFile ./files.json);
in
builtins.mapAttrs (file: names: { publicKeys = map (n: keys.\${n}) (builtins.filter (n: keys ? \${n}) names); }) files
`;

const FILES = { "vps-db.age": ["admin", "vps"], "wifi.age": ["admin", "vps", "nas"], "nas-backup.age": ["admin", "nas"] };
const PLAIN: Record<string, string> = { "vps-db.age": "hunter2\n", "wifi.age": "correct horse\n", "nas-backup.age": "nas only\n" };

describe("!enroll with agenix", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-agenix-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let other: TestUser;
  let vps: TestSshd;
  let repo: Awaited<ReturnType<typeof createFlakeRepo>>;
  let admin: { path: string; recipient: string };

  const ask = async (user: TestUser, body: string) => (await user.waitForReply(fx.roomId, await user.say(fx.roomId, body), 60_000)).content.body as string;
  const originHead = () => git(repo.origin, "rev-parse", "main");
  const decryptAs = (identity: string, file: string) => execa("age", ["-d", "-i", identity, join(repo.seed, "secrets", file)], { reject: false });

  beforeAll(async () => {
    repo = await createFlakeRepo(dir);
    admin = await createAgeKey(join(dir, "admin-age.txt"));
    mkdirSync(join(repo.seed, "secrets"));
    writeFileSync(join(repo.seed, "secrets/secrets.nix"), SECRETS_NIX);
    writeFileSync(join(repo.seed, "secrets/keys.json"), `${JSON.stringify({ admin: admin.recipient }, null, 2)}\n`);
    writeFileSync(join(repo.seed, "secrets/files.json"), `${JSON.stringify(FILES, null, 2)}\n`);
    // What agenix -e would write before any host has a key: each file for the admin alone.
    for (const [file, text] of Object.entries(PLAIN)) await execa("age", ["-e", "-r", admin.recipient, "-o", join(repo.seed, "secrets", file)], { input: text });
    await git(repo.seed, "add", "secrets");
    await git(repo.seed, "commit", "-q", "-m", "agenix secrets");
    await git(repo.seed, "push", "-q", repo.origin, "main");
    vps = await startSshd({ dir, name: "vps" });
    fx = await createMagiFixture("agenix");
    other = await fx.newUser("second-admin");
    fx.access.users[other.userId] = "admin";
    fx.config.deploy = { flake_dir: repo.checkout };
    fx.config.enroll = { method: "agenix", admin_identity_file: admin.path };
    fx.config.hosts = { vps: { address: vps.address, ssh: { port: vps.port, user: vps.user, identity_file: vps.clientKeyPath } } };
    bot = await fx.start({ PATH: `${FAKES}:${process.env.PATH}` });
  });

  afterAll(async () => {
    await bot?.stop();
    await vps?.stop();
  });

  it("writes the host's key into keys.json and rekeys exactly its files with age; the host's SSH key decrypts them, not the others", async () => {
    const hostKey = join(dir, "vps", "host_ed25519");
    const keyLine = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    const fingerprint = (await execa("ssh-keygen", ["-lf", `${hostKey}.pub`])).stdout.split(" ")[1]!;
    expect((await decryptAs(hostKey, "vps-db.age")).exitCode).not.toBe(0);
    const before = await originHead();
    const command = await fx.admin.say(fx.roomId, "!enroll vps");
    const prompt = await fx.admin.waitForReply(fx.roomId, command, 60_000);
    expect(prompt.content.body).toContain(`enroll vps: key ${fingerprint}, age recipient age1`);
    expect(prompt.content.body).toContain("re-encrypts secrets/vps-db.age, secrets/wifi.age.");
    await other.react(fx.roomId, prompt.event_id, "✅");
    const done = await waitForBody(fx.admin, fx.roomId, prompt.event_id, /^✅.*(Done|failed)/, 120_000);
    expect(done).toMatch(/Done: 1 succeeded\.$/);

    expect(await git(repo.origin, "rev-list", "--count", `${before}..main`)).toBe("1");
    expect(await git(repo.origin, "diff", "--name-only", `${before}..main`)).toBe("secrets/keys.json\nsecrets/vps-db.age\nsecrets/wifi.age");
    await git(repo.seed, "pull", "-q", repo.origin, "main");
    expect(JSON.parse(readFileSync(join(repo.seed, "secrets/keys.json"), "utf8"))).toEqual({ admin: admin.recipient, vps: keyLine });
    expect((await decryptAs(hostKey, "vps-db.age")).stdout).toBe("hunter2");
    expect((await decryptAs(hostKey, "wifi.age")).stdout).toBe("correct horse");
    expect((await decryptAs(admin.path, "wifi.age")).stdout).toBe("correct horse");
    const nas = await decryptAs(hostKey, "nas-backup.age");
    expect(nas.exitCode).not.toBe(0);
    expect(nas.stdout).toBe("");

    // Enrolled: asking again changes nothing.
    const head = await originHead();
    expect(await ask(fx.admin, "!enroll vps")).toBe(`vps is already enrolled: its key ${fingerprint} is pinned, and ${/age recipient (age1[a-z0-9]+)/.exec(String(prompt.content.body))?.[1]} is in secrets/keys.json and in all 2 of its files. Nothing was changed.`);
    expect(await originHead()).toBe(head);
    expect(await ask(fx.admin, "!recipients")).toBe("!recipients reads sops-nix's .sops.yaml and file metadata; with enroll.method agenix, secrets/files.json says who may decrypt each file");
  });
});
