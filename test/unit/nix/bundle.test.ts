import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./nix-eval.ts";

// An install laid out like the Nix package's: the files package.json lists, and the dependencies.
function installCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "magi-install-")), "magi");
  const files = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { files: string[] }).files;
  for (const file of ["package.json", ...files]) cpSync(join(REPO, file), join(dir, file), { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  for (const entry of readdirSync(join(REPO, "node_modules")).filter((name) => name !== ".cache")) {
    symlinkSync(join(REPO, "node_modules", entry), join(dir, "node_modules", entry));
  }
  return dir;
}

// Runs the installed magi from a working directory; returns what it printed on stderr.
function runFrom(install: string, cwd: string): string {
  return spawnSync(process.execPath, [join(install, "bot/bin.mjs"), "--help"], { cwd, encoding: "utf8" }).stderr;
}

describe("the bundle the Nix package builds at install time", () => {
  it("is the one magi loads later from its service's working directory, so a read-only store never needs tsx", { timeout: 60_000 }, () => {
    const install = installCopy();
    const buildDir = mkdtempSync(join(tmpdir(), "magi-build-"));
    // Deeper than buildDir, as /var/lib/magi is: a path relative to the working directory differs.
    const serviceDir = join(mkdtempSync(join(tmpdir(), "magi-state-")), "var/lib/magi");
    mkdirSync(serviceDir, { recursive: true });
    expect(runFrom(install, buildDir)).toMatch(/^usage:\n {2}magi run/);
    const bundles = () => readdirSync(join(install, "node_modules/.cache/magi")).filter((name) => name.endsWith(".mjs"));
    const built = bundles();
    expect(built).toEqual([expect.stringMatching(/^cli-[0-9a-f]{16}\.mjs$/)]);
    expect(runFrom(install, serviceDir)).toMatch(/^usage:\n {2}magi run/);
    expect(bundles()).toEqual(built);
  });
});
