import { describe, expect, it } from "vitest";
import {
  buildColmenaArgv,
  buildDeployRsArgv,
  buildNixosRebuildArgv,
  buildOnHostArgv,
  checkFlakeAttr,
  checkFlakeUrl,
  renderFlakeUrl,
} from "../../../../runners/deploy/build-deploy-argv.ts";
import { buildNixSshOpts, formatKnownHostsLine } from "../../../../runners/deploy/nix-ssh-opts.ts";
import type { SshTarget } from "../../../../runners/ssh/index.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIR = "/tmp/magi-flake-0123456789ab-Xy12";
const TARGET = { user: "root", address: "10.0.0.5" };

describe("nixos-rebuild (on magi, --target-host)", () => {
  it.each([
    ["switch", undefined, ["nixos-rebuild", "switch", "--flake", `${DIR}#misato`, "--target-host", "root@10.0.0.5"]],
    ["boot", undefined, ["nixos-rebuild", "boot", "--flake", `${DIR}#misato`, "--target-host", "root@10.0.0.5"]],
    ["test", "--sudo", ["nixos-rebuild", "test", "--flake", `${DIR}#misato`, "--target-host", "root@10.0.0.5", "--sudo"]],
    ["dry-activate", "--use-remote-sudo", ["nixos-rebuild", "dry-activate", "--flake", `${DIR}#misato`, "--target-host", "root@10.0.0.5", "--use-remote-sudo"]],
    ["switch", "--elevate=sudo", ["nixos-rebuild", "switch", "--flake", `${DIR}#misato`, "--target-host", "root@10.0.0.5", "--elevate=sudo"]],
  ] as const)("%s with privilege flag %s", (action, flag, expected) => {
    expect(buildNixosRebuildArgv(action, DIR, "misato", TARGET, flag)).toEqual(expected);
  });

  it("uses the ssh user from the host's settings", () => {
    expect(buildNixosRebuildArgv("switch", DIR, "nas", { user: "deploy", address: "nas.lan" }, "--sudo")).toEqual([
      "nixos-rebuild", "switch", "--flake", `${DIR}#nas`, "--target-host", "deploy@nas.lan", "--sudo",
    ]);
  });
});

describe("nixos-rebuild-on-host", () => {
  it.each(["switch", "boot", "test", "dry-activate"] as const)("%s runs nixos-rebuild on the host with the pinned URL", (action) => {
    expect(buildOnHostArgv(action, `github:team/infra/${SHA}`, "misato")).toEqual(["nixos-rebuild", action, "--flake", `github:team/infra/${SHA}#misato`]);
  });

  it("puts the sha into every {rev} of the URL template", () => {
    expect(renderFlakeUrl("github:team/infra/{rev}", SHA)).toEqual({ ok: true, url: `github:team/infra/${SHA}` });
    expect(renderFlakeUrl("git+https://git.example.org/team/infra?ref=main&rev={rev}", SHA)).toEqual({ ok: true, url: `git+https://git.example.org/team/infra?ref=main&rev=${SHA}` });
  });

  it.each([
    ["github:team/infra", "flake_url \"github:team/infra\" must contain {rev}, where the resolved commit goes (e.g. github:team/infra/{rev})"],
    ["github:team/infra/{rev} --impure", "flake_url \"github:team/infra/{rev} --impure\" must not contain whitespace, quotes, backslashes or #"],
    ["github:team/'infra'/{rev}", "flake_url \"github:team/'infra'/{rev}\" must not contain whitespace, quotes, backslashes or #"],
    ["github:team/infra/{rev}#other", "flake_url \"github:team/infra/{rev}#other\" must not contain whitespace, quotes, backslashes or #"],
    ["--option/{rev}", "flake_url \"--option/{rev}\" must not start with \"-\""],
  ])("refuses the template %j", (template, message) => {
    expect(checkFlakeUrl(template)).toBe(message);
    expect(renderFlakeUrl(template, SHA)).toEqual({ ok: false, problem: message });
  });

  it("refuses anything but a full sha", () => {
    expect(renderFlakeUrl("github:team/infra/{rev}", "main")).toEqual({ ok: false, problem: 'not a full commit sha: "main"' });
  });
});

describe("deploy-rs", () => {
  it.each([
    ["switch", ["deploy", `${DIR}#misato`]],
    ["boot", ["deploy", `${DIR}#misato`, "--boot"]],
    ["dry-activate", ["deploy", `${DIR}#misato`, "--dry-activate"]],
  ] as const)("%s", (action, argv) => {
    expect(buildDeployRsArgv(action, DIR, "misato")).toEqual({ ok: true, argv });
  });

  it("has no test action", () => {
    expect(buildDeployRsArgv("test", DIR, "misato")).toEqual({
      ok: false,
      problem: "deploy-rs has no test action (it always makes the new generation the boot default); use switch, boot or dry-activate",
    });
  });
});

describe("colmena", () => {
  it.each(["switch", "boot", "test", "dry-activate"] as const)("%s", (action) => {
    expect(buildColmenaArgv(action, "misato")).toEqual(["colmena", "apply", action, "--on", "misato"]);
  });
});

describe("checkFlakeAttr", () => {
  it("accepts host-like names and refuses attribute paths, globs and options", () => {
    expect(checkFlakeAttr("misato")).toBeUndefined();
    expect(checkFlakeAttr("k3s_node-2")).toBeUndefined();
    expect(checkFlakeAttr("a.b")).toBe('flake attribute "a.b" may contain only letters, digits, _ and -');
    expect(checkFlakeAttr("@k3s")).toBe('flake attribute "@k3s" may contain only letters, digits, _ and -');
    expect(checkFlakeAttr("-x")).toBe('flake attribute "-x" may contain only letters, digits, _ and -');
  });
});

describe("NIX_SSHOPTS for nixos-rebuild's own ssh", () => {
  const target: SshTarget = { name: "misato", address: "10.0.0.5", port: 2222, user: "root", identityFile: "/etc/magi/id_ed25519", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz misato-host" };

  it("pins the host key and passes port and key", () => {
    expect(buildNixSshOpts(target, "/tmp/magi-ssh-1/known_hosts")).toEqual({
      ok: true,
      value: "-o BatchMode=yes -p 2222 -i /etc/magi/id_ed25519 -o UserKnownHostsFile=/tmp/magi-ssh-1/known_hosts -o StrictHostKeyChecking=yes",
    });
    expect(formatKnownHostsLine(target)).toBe("[10.0.0.5]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz\n");
  });

  it("leaves out the default port and an absent key file", () => {
    const plain = { ...target, port: 22, identityFile: "" };
    expect(buildNixSshOpts(plain)).toEqual({ ok: true, value: "-o BatchMode=yes" });
    expect(formatKnownHostsLine(plain)).toBe("10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz\n");
  });

  it("refuses paths nixos-rebuild would split", () => {
    expect(buildNixSshOpts({ ...target, identityFile: "/home/me/my key" })).toEqual({ ok: false, problem: 'cannot pass "/home/me/my key" to nixos-rebuild\'s ssh (NIX_SSHOPTS is split on whitespace)' });
  });

  it("has no known_hosts line without a pinned key", () => {
    expect(formatKnownHostsLine({ ...target, hostKey: "" })).toBeUndefined();
  });
});
