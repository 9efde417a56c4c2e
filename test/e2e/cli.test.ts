// The magi command line as a newcomer meets it: check-config output and exit codes, and a clear error for a bad config at run.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { quotePosix } from "../../runners/ssh/quote.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ["bot/bin.mjs", ...args], { cwd: REPO }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("magi CLI", () => {
  it("accepts config.example.yaml", async () => {
    expect(await run(["check-config", "config.example.yaml"])).toMatchObject({ code: 0, stdout: "config.example.yaml: ok\n", stderr: "" });
  });

  it("runs its bundle from node_modules/.cache, and from a read-only install through tsx, saying so", async () => {
    await run(["check-config", "config.example.yaml"]);
    expect(readdirSync(join(REPO, "node_modules", ".cache", "magi")).filter((n) => /^cli-[0-9a-f]{16}\.mjs$/.test(n)).length).toBeGreaterThan(0);
    // A private mount namespace with a read-only, empty node_modules/.cache, as in a Nix store.
    const readOnly = [
      "mount -t tmpfs -o ro tmpfs node_modules/.cache",
      `exec ${quotePosix(process.execPath)} bot/bin.mjs check-config config.example.yaml`,
    ].join(" && ");
    const { stdout, stderr } = await promisify(execFile)("unshare", ["-m", "--", "sh", "-c", readOnly], { cwd: REPO });
    expect(stdout).toBe("config.example.yaml: ok\n");
    expect(stderr).toMatch(/^magi: cannot bundle the sources into node_modules\/\.cache \(.*node_modules\/\.cache\/magi.*\); running them through tsx instead\n$/);
  });

  it("prints every problem with its path and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-cli-"));
    const bad = readFileSync(join(REPO, "config.example.yaml"), "utf8").replace("      port: 22", '      port: "twenty-two"').replace("admin_dms: false", "admin_dms: false\nadmin_dm: true");
    writeFileSync(join(dir, "bad.yaml"), bad);
    const result = await run(["check-config", join(dir, "bad.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hosts.misato.ssh.port: expected a number, got "twenty-two"\n');
    expect(result.stderr).toContain("admin_dm: unknown key\n");
    expect(result.stderr).toContain("bad.yaml: 2 problems\n");
  });

  it("refuses to run with an invalid config, naming the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-cli-"));
    writeFileSync(join(dir, "c.yaml"), "matrix:\n  homeserver_url: nope\n");
    const result = await run(["run", "--config", join(dir, "c.yaml")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("matrix.homeserver_url:");
    expect(result.stderr).toContain("rooms: required record is missing");
  });

  it("prints usage for an unknown subcommand", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("magi check-config FILE");
  });
});
