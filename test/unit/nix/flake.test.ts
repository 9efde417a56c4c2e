import { expect, it } from "vitest";
import { describeWithTools } from "./describe-with-tools.ts";
import { NIX_INSTALL, NIXPKGS_LIB, REPO, runNix } from "./nix-eval.ts";

const NEEDS = [{ program: "nix-instantiate", install: NIX_INSTALL }, { file: NIXPKGS_LIB, install: "nixpkgs' lib, beside the clone as ../shared/nixpkgs-lib/lib, or MAGI_NIXPKGS_LIB" }];

// What test/nix/eval-flake.nix reports about flake.nix's outputs.
interface FlakeOutputs {
  systems: string[];
  checks: string[];
  package: { name: string; npmRoot: string; npmRebuildFlags: string[]; postInstall: string };
  vmTest: { name: string; testScript: string };
  machine: { execStart: string; secrets: string[] };
}

describeWithTools("flake.nix evaluated with a stand-in nixpkgs", NEEDS, () => {
  const flake = () => JSON.parse(runNix(["--eval", "--strict", "--json", "test/nix/eval-flake.nix", "--arg", "lib", `import ${NIXPKGS_LIB}`])) as FlakeOutputs;

  it("builds magi from package.json and its lockfile, without install scripts, checking the bundle read-only", () => {
    const { systems, package: pkg } = flake();
    expect(systems).toEqual(["aarch64-linux", "x86_64-linux"]);
    expect(pkg).toMatchObject({ name: "magi-0.1.0", npmRoot: REPO, npmRebuildFlags: ["--ignore-scripts"] });
    expect(pkg.postInstall).toContain("chmod -R a-w $app/node_modules/.cache\n(cd / && node $app/bot/bin.mjs --help) 2> usage-again\ncmp usage usage-again");
  });

  it("checks the package and a NixOS VM running the module with the flake's package", () => {
    const { checks, vmTest, machine } = flake();
    expect(checks).toEqual(["nixos", "package"]);
    expect(vmTest.name).toBe("magi");
    expect(vmTest.testScript).toContain("machine.wait_until_succeeds(\"journalctl -u magi -o cat | grep -q 'homeserver unreachable; retrying'\")");
    expect(machine.execStart).toBe("/nix/store/stub-magi-0.1.0/bin/magi run --config /etc/magi/config.yaml");
    expect(machine.secrets).toContain("f /run/secrets/magi-access-token 0400 root root - syt_not_a_real_token");
  });
});
