// The sandbox's demo flake: a small real git repository naming the demo hosts' nixosConfigurations,
// published to a local "origin" that magi fetches and the demo hosts' nixos-rebuild reads.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

// Where the demo flake is: origin (bare, what flake_url points at) and checkout (magi's flake_dir).
export interface DemoFlake {
  origin: string;
  checkout: string;
}

const AUTHOR = { GIT_AUTHOR_NAME: "Ritsuko", GIT_AUTHOR_EMAIL: "ritsuko@localhost", GIT_COMMITTER_NAME: "Ritsuko", GIT_COMMITTER_EMAIL: "ritsuko@localhost" };

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await execa("git", args, { cwd, env: AUTHOR })).stdout.trim();
}

// flake.nix at one step of the demo history; nixpkgs changes, the hosts stay.
function renderFlake(hosts: readonly string[], nixpkgs: string): string {
  const configs = hosts.map((h) => `    nixosConfigurations.${h} = mkHost "${h}";`).join("\n");
  return `{
  description = "magi sandbox demo fleet";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/${nixpkgs}";
  outputs = { self, nixpkgs }: let
    mkHost = name: nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/common.nix { networking.hostName = name; system.configurationRevision = self.rev or "dirty"; } ];
    };
  in {
${configs}
  };
}
`;
}

// The demo history: each step's commit subject and nixpkgs branch. Hosts start on the second to last.
const HISTORY = [
  { subject: "initial fleet", nixpkgs: "nixos-24.11" },
  { subject: "k3s: pin 1.31", nixpkgs: "nixos-24.11" },
  { subject: "bump nixpkgs to 25.05", nixpkgs: "nixos-25.05" },
];

// Creates the repositories on first run (kept afterwards) and returns them with the commits hosts
// start from: every commit but the last, oldest first, so `!deploy` has something new to bring.
export async function ensureDemoFlake(dir: string, hosts: readonly string[]): Promise<DemoFlake & { startRevs: string[] }> {
  const origin = join(dir, "flake-origin.git");
  const checkout = join(dir, "flake");
  if (!existsSync(origin)) {
    const seed = join(dir, "flake-seed");
    mkdirSync(join(seed, "hosts"), { recursive: true });
    await git(seed, "init", "-q", "-b", "main");
    writeFileSync(join(seed, "hosts", "common.nix"), "{ services.openssh.enable = true; }\n");
    for (const step of HISTORY) {
      writeFileSync(join(seed, "flake.nix"), renderFlake(hosts, step.nixpkgs));
      await git(seed, "add", "-A");
      await git(seed, "commit", "-q", "--allow-empty", "-m", step.subject);
    }
    await git(dir, "init", "-q", "--bare", origin);
    await git(seed, "push", "-q", origin, "main");
    rmSync(seed, { recursive: true, force: true });
  }
  if (!existsSync(checkout)) await git(dir, "clone", "-q", origin, checkout);
  const revs = (await git(origin, "rev-list", "--reverse", "main")).split("\n");
  return { origin, checkout, startRevs: revs.slice(0, -1) };
}
