import { execFileSync } from "node:child_process";
import { expect, it } from "vitest";
import { describeWithTools } from "./describe-with-tools.ts";
import { NIX_INSTALL, REPO, runNix } from "./nix-eval.ts";

// Every .nix file git knows, plus new ones not yet added, so a broken file never waits for a commit.
function listNixFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.nix"], { cwd: REPO, encoding: "utf8" });
  return out.split("\n").filter(Boolean);
}

describeWithTools("every .nix file parses", [{ program: "nix-instantiate", install: NIX_INSTALL }], () => {
  it("finds the flake, the module and the test stand-ins", () => {
    expect(listNixFiles()).toEqual(expect.arrayContaining(["flake.nix", "nix/module.nix", "test/nix/stubs.nix"]));
  });

  it.each(listNixFiles())("%s", (file) => {
    expect(() => runNix(["--parse", file])).not.toThrow();
  });

  it("reports a syntax error with its place", () => {
    expect(() => runNix(["--parse", "-E", "{ a = 1; b = ; }"])).toThrow(/syntax error, unexpected .;.[\s\S]*:1:14/);
  });
});
