// Evaluates nix/module.nix the way test/nix/eval-module.nix describes, with nixpkgs' lib from the
// checkout beside the repository (../shared/nixpkgs-lib/lib, as in CI), and returns its JSON.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

// The repository's root, where the tests run.
export const REPO = resolve(import.meta.dirname, "../../..");
// nixpkgs' lib (MIT), beside the clone; MAGI_NIXPKGS_LIB points elsewhere.
export const NIXPKGS_LIB = process.env.MAGI_NIXPKGS_LIB ?? resolve(REPO, "../shared/nixpkgs-lib/lib");
// How CI gets nix-instantiate.
export const NIX_INSTALL = "Debian: apt-get install nix-bin";

// What the module produces for a system.
export interface Evaluated {
  service: { serviceConfig: Record<string, unknown>; path: string[]; reloadTriggers: string[]; wantedBy: string[] } | null;
  users: Record<string, { home?: string; group?: string; isSystemUser?: boolean }>;
  systemPackages: string[];
  configFile: { name: string; text: string };
  etc: { name: string; script: string | null } | null;
}

// Runs nix-instantiate on a file in the repository; returns stdout, or throws with stderr. Parsing and
// evaluating need no store, and the dummy one spares a normal user the daemon socket Debian's nix-bin
// would otherwise ask for (root-only there).
export function runNix(args: string[]): string {
  const result = spawnSync("nix-instantiate", ["--store", "dummy://", ...args], { cwd: REPO, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`nix-instantiate ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

// Evaluates the module with the given module text (a Nix expression) on top of the stand-ins.
export function evalModule(moduleExpression: string): Evaluated {
  const out = runNix(["--eval", "--strict", "--json", "test/nix/eval-module.nix", "--arg", "lib", `import ${NIXPKGS_LIB}`, "--arg", "module", moduleExpression]);
  return JSON.parse(out) as Evaluated;
}
