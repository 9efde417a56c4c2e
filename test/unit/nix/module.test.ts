import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithTools } from "./describe-with-tools.ts";
import { evalModule, NIX_INSTALL, NIXPKGS_LIB, REPO } from "./nix-eval.ts";

const NEEDS = [{ program: "nix-instantiate", install: NIX_INSTALL }, { file: NIXPKGS_LIB, install: "nixpkgs' lib, beside the clone as ../shared/nixpkgs-lib/lib, or MAGI_NIXPKGS_LIB" }];

// Runs `magi check-config --no-local` on a rendered config, as the system build does.
function checkConfig(text: string): { code: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), "magi-nix-")), "magi.yaml");
  writeFileSync(file, text);
  const result = spawnSync(process.execPath, [join(REPO, "bot/bin.mjs"), "check-config", "--no-local", file], { encoding: "utf8", env: { ...process.env, CREDENTIALS_DIRECTORY: "" } });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.replaceAll(file, "FILE") };
}

describeWithTools("NixOS module (nix/module.nix) evaluated with nixpkgs' lib", NEEDS, () => {
  const team = evalModule("import ./test/nix/team.nix");

  it("starts magi from the package with the config in /etc, and reloads it with SIGHUP", () => {
    expect(team.service?.serviceConfig).toMatchObject({
      ExecStart: "/nix/store/stub-magi/bin/magi run --config /etc/magi/config.yaml",
      ExecReload: "/nix/store/stub-coreutils/bin/kill -HUP $MAINPID",
      User: "magi",
      Group: "magi",
      StateDirectory: "magi",
      StateDirectoryMode: "0710",
      WorkingDirectory: "/var/lib/magi",
    });
    expect(team.service?.wantedBy).toEqual(["multi-user.target"]);
    expect(team.service?.reloadTriggers).toEqual(["/nix/store/stub-magi.yaml"]);
    expect(team.systemPackages).toEqual(["/nix/store/stub-magi"]);
    expect(team.users.magi).toEqual({ isSystemUser: true, group: "magi", home: "/var/lib/magi", description: "magi chat-ops bot" });
  });

  it("hands every secret over as a systemd credential, never through the store", () => {
    expect(team.service?.serviceConfig.LoadCredential).toEqual([
      "access-token:/run/secrets/magi-access-token",
      "http-health:/run/secrets/magi-http-health",
      "sops-age-key:/run/secrets/magi-age-key",
      "ssh-key:/run/secrets/magi-ssh-key",
    ]);
    const config = JSON.parse(team.configFile.text);
    expect(config.matrix.access_token_file).toBe("${CREDENTIALS_DIRECTORY}/access-token");
    expect(config.enroll.admin_identity_file).toBe("${CREDENTIALS_DIRECTORY}/sops-age-key");
    expect(Object.values(config.hosts).map((host) => (host as { ssh: { identity_file: string } }).ssh.identity_file)).toEqual(Array(3).fill("${CREDENTIALS_DIRECTORY}/ssh-key"));
    expect(team.configFile.text).not.toContain("/run/secrets");
  });

  it("hardens the unit", () => {
    expect(team.service?.serviceConfig).toMatchObject({
      ProtectSystem: "strict",
      ProtectHome: true,
      PrivateTmp: true,
      PrivateDevices: true,
      NoNewPrivileges: true,
      CapabilityBoundingSet: "",
      RestrictAddressFamilies: ["AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"],
      SystemCallFilter: ["@system-service"],
      UMask: "0077",
    });
  });

  it("puts the deploy and enrollment tools on the service's PATH", () => {
    expect(team.service?.path).toEqual(["git", "nix", "nixos-rebuild", "openssh", "sops", "age"].map((name) => `/nix/store/stub-${name}`));
    expect(evalModule('{ imports = [ ./test/nix/team.nix ]; services.magi.extraPackages = [ { type = "derivation"; name = "colmena"; outPath = "/nix/store/stub-colmena"; } ]; }').service?.path.at(-1)).toBe("/nix/store/stub-colmena");
  });

  it("renders a config magi accepts, and checks it while building the system", () => {
    expect(checkConfig(team.configFile.text)).toEqual({ code: 0, output: "FILE: ok (files and programs on this machine not checked: --no-local)\n" });
    expect(team.etc).toEqual({ name: "magi-config.yaml", script: "/nix/store/stub-magi/bin/magi check-config --no-local /nix/store/stub-magi.yaml\ncp /nix/store/stub-magi.yaml $out\n" });
  });

  it("keeps a typo in settings for magi to refuse, naming the key", () => {
    const typo = evalModule('{ imports = [ ./test/nix/team.nix ]; services.magi.settings.hosts.misato.adress = "10.0.0.12"; }');
    expect(checkConfig(typo.configFile.text)).toEqual({ code: 1, output: "hosts.misato.adress: unknown key (did you mean address?)\nFILE: 1 problem\n" });
  });

  it("adds nothing to the system when disabled", () => {
    expect(evalModule("{ lib, ... }: { imports = [ ./test/nix/team.nix ]; services.magi.enable = lib.mkForce false; }")).toMatchObject({ service: null, users: {}, etc: null, systemPackages: [] });
  });
});

describe("docs/install-nixos.md", () => {
  it("shows the team's module settings that the tests above evaluate and check", () => {
    const doc = readFileSync(join(REPO, "docs/install-nixos.md"), "utf8");
    const shown = [...doc.matchAll(/```nix\n([\s\S]*?)```/g)].map((m) => m[1]).find((block) => block?.includes("enable = true;"));
    const tested = readFileSync(join(REPO, "test/nix/team.nix"), "utf8").replace(/^(#.*\n)+/, "");
    expect(shown).toBe(tested);
  });
});
