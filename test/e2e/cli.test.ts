// The magi command line as a newcomer meets it: check-config output and exit codes, and a clear error for a bad config at run.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { quotePosix } from "../../runners/ssh/quote.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const run = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  promisify(execFile)(process.execPath, ["bot/bin.mjs", ...args], { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("magi CLI", () => {
  it("accepts config.example.yaml, whose files belong to another machine", async () => {
    expect(await run(["check-config", "--no-local", "config.example.yaml"])).toMatchObject({
      code: 0, stdout: "config.example.yaml: ok (files and programs on this machine not checked: --no-local)\n", stderr: "",
    });
  });

  it("runs its bundle from node_modules/.cache, and from a read-only install through tsx, saying so", async () => {
    await run(["check-config", "--no-local", "config.example.yaml"]);
    expect(readdirSync(join(REPO, "node_modules", ".cache", "magi")).filter((n) => /^cli-[0-9a-f]{16}\.mjs$/.test(n)).length).toBeGreaterThan(0);
    // A private mount namespace with a read-only, empty node_modules/.cache, as in a Nix store.
    const readOnly = [
      "mount -t tmpfs -o ro tmpfs node_modules/.cache",
      `exec ${quotePosix(process.execPath)} bot/bin.mjs check-config --no-local config.example.yaml`,
    ].join(" && ");
    // A normal user gets its mount namespace inside a user namespace of its own.
    const unshare = process.getuid?.() === 0 ? ["-m"] : ["--map-root-user", "-m"];
    const { stdout, stderr } = await promisify(execFile)("unshare", [...unshare, "--", "sh", "-c", readOnly], { cwd: REPO });
    expect(stdout).toBe("config.example.yaml: ok (files and programs on this machine not checked: --no-local)\n");
    expect(stderr).toMatch(/^magi: cannot bundle the sources into node_modules\/\.cache \(.*node_modules\/\.cache\/magi.*\); running them through tsx instead\n$/);
  });

  it("prints every problem with its path and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-cli-"));
    const bad = readFileSync(join(REPO, "config.example.yaml"), "utf8").replace("      port: 22", '      port: "twenty-two"').replace("admin_dms: false", "admin_dms: false\nadmin_dm: true");
    writeFileSync(join(dir, "bad.yaml"), bad);
    const result = await run(["check-config", join(dir, "bad.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hosts.misato.ssh.port: expected a number, got "twenty-two"\n');
    expect(result.stderr).toContain("admin_dm: unknown key (did you mean admin_dms?)\n");
    expect(result.stderr).toContain("bad.yaml: 2 problems\n");
  });

  it("refuses to run with an invalid config, naming the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-cli-"));
    writeFileSync(join(dir, "c.yaml"), "matrix:\n  homeserver_url: nope\n");
    const result = await run(["run", "--config", join(dir, "c.yaml")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("matrix.homeserver_url:");
    expect(result.stderr).toContain("rooms: missing (expected a mapping)");
  });

  it("names every file, directory and program the config needs that this machine lacks; --no-local skips them; run refuses them the same way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-cli-"));
    const config = join(dir, "magi.yaml");
    writeFileSync(config, [
      "matrix:", "  homeserver_url: http://127.0.0.1:1", '  user_id: "@magi:localhost"', "  access_token_file: /nonexistent/magi-token",
      "rooms:", '  "!abc": {}', "storage:", "  path: state/magi.sqlite",
      "hosts:", "  misato:", "    address: 127.0.0.1", "    ssh:", "      identity_file: keys/id_ed25519", "    deploy:", "      method: colmena",
      "deploy:", "  flake_dir: infra", "",
    ].join("\n"));
    const expected = [
      "matrix.access_token_file: /nonexistent/magi-token does not exist (create it with the bot's access token, mode 0600)",
      `hosts.misato.ssh.identity_file: ${dir}/keys/id_ed25519 does not exist (create a key with ssh-keygen -t ed25519 -N "" -f ${dir}/keys/id_ed25519, and add ${dir}/keys/id_ed25519.pub to the host's authorized keys)`,
      `deploy.flake_dir: ${dir}/infra does not exist (clone the team's flake there: git clone <repository> ${dir}/infra)`,
      "hosts.misato.deploy.method: colmena is not on PATH (install colmena on magi's machine)",
    ];
    // This machine's own PATH, which has git and ssh but no colmena.
    const env = { ...process.env, PATH: "/usr/local/bin:/usr/bin:/bin" };
    expect(await run(["check-config", config], { env })).toEqual({ code: 1, stdout: "", stderr: `${expected.join("\n")}\n${config}: 4 problems\n` });
    expect(await run(["check-config", "--no-local", config], { env })).toMatchObject({ code: 0, stderr: "" });
    // magi run: the same lines, plain text on stderr, no JSON log line, nothing created.
    const ran = await run(["run", "--config", config], { env: { ...env, MAGI_LOG_LEVEL: "debug" } });
    expect(ran).toEqual({ code: 2, stdout: "", stderr: `${expected.join("\n")}\nmagi cannot start: 4 problems in ${config}\n` });
    expect(readdirSync(dir)).toEqual(["magi.yaml"]);
    // MAGI_CONFIG (npm start) takes the same path.
    expect(await run(["run"], { env: { ...env, MAGI_CONFIG: config } })).toMatchObject({ code: 2, stderr: ran.stderr });
  });

  it("says to run npm ci when its dependencies are not installed", async () => {
    const copy = mkdtempSync(join(tmpdir(), "magi-no-deps-"));
    for (const part of ["bot", "commands", "config", "runners", "storage", "package.json", "package-lock.json"]) cpSync(join(REPO, part), join(copy, part), { recursive: true });
    const result = await run(["check-config", "--no-local", "config.example.yaml"], { cwd: copy });
    expect(result).toEqual({ code: 1, stdout: "", stderr: `magi: its dependencies are not installed; run \`npm ci\` in ${copy} first\n` });
  });

  it("prints usage for an unknown subcommand", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("magi check-config [--no-local] FILE");
    expect(result.stderr).toContain("(--no-local skips that, to check a config written for another one)");
  });
});
