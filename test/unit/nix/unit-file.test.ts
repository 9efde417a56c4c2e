import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describeWithTools } from "./describe-with-tools.ts";
import { evalModule, NIX_INSTALL, NIXPKGS_LIB, REPO } from "./nix-eval.ts";

const UNIT = readFileSync(join(REPO, "contrib/magi.service"), "utf8");
// Settings that differ by platform on purpose: where programs and secrets are.
const PER_PLATFORM = new Set(["Type", "ExecStart", "ExecReload", "Environment", "LoadCredential", "EnvironmentFile"]);

// systemd-analyze verify on a copy of the unit, with ExecStart's node the one on this machine
// (verify checks that it exists). Returns everything it printed.
function verify(text: string): { code: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), "magi-unit-")), "magi.service");
  writeFileSync(file, text.replace("ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `));
  const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.replaceAll(file, "magi.service") };
}

// The [Service] settings other than the per-platform ones, as systemd would read them.
function readServiceSettings(text: string): Record<string, string> {
  const section = text.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  const lines = section.split("\n").filter((line) => /^[A-Za-z]+=/.test(line));
  return Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]).filter(([key]) => !PER_PLATFORM.has(key)));
}

describeWithTools("contrib/magi.service", [{ program: "systemd-analyze", install: "Debian: apt-get install systemd" }], () => {
  it("passes systemd-analyze verify without a warning", () => {
    expect(verify(UNIT)).toEqual({ code: 0, output: "" });
  });

  it("would show a misspelt hardening setting", () => {
    expect(verify(UNIT.replace("ProtectSystem=strict", "ProtectSytem=strict")).output).toContain("Unknown key 'ProtectSytem' in section [Service], ignoring.");
  });
});

describeWithTools("contrib/magi.service and the NixOS module", [{ program: "nix-instantiate", install: NIX_INSTALL }, { file: NIXPKGS_LIB, install: "nixpkgs' lib beside the clone" }], () => {
  it("run magi with the same user, state directory and hardening", () => {
    const module = evalModule("import ./test/nix/team.nix").service!.serviceConfig;
    const fromModule = Object.fromEntries(Object.entries(module)
      .filter(([key]) => !PER_PLATFORM.has(key))
      .map(([key, value]) => [key, Array.isArray(value) ? value.join(" ") : String(value)]));
    expect(readServiceSettings(UNIT)).toEqual(fromModule);
  });
});
