// The fixed command templates for each deploy method. Pure: the same plan always gives the same
// argv, and nothing a user typed is ever more than one whole argument.
import { FLAKE_ATTR_PATTERN, type DeployAction, type PrivilegeFlag } from "../../domain/deploy.ts";
import { describeFlakeUrlProblem } from "../../domain/git-names.ts";

// Says why a flake attribute is refused, or undefined.
export function checkFlakeAttr(attr: string): string | undefined {
  return FLAKE_ATTR_PATTERN.test(attr) ? undefined : `flake attribute ${JSON.stringify(attr.slice(0, 70))} may contain only letters, digits, _ and -`;
}

// Says why a configured flake URL template is refused, or undefined.
export function checkFlakeUrl(template: string): string | undefined {
  const problem = describeFlakeUrlProblem(template);
  return problem && `flake_url ${JSON.stringify(template)} ${problem}`;
}

// Puts the full sha into the URL template (every {rev}).
export function renderFlakeUrl(template: string, sha: string): { ok: true; url: string } | { ok: false; problem: string } {
  const refused = checkFlakeUrl(template);
  if (refused) return { ok: false, problem: refused };
  if (!/^[0-9a-f]{40}$/.test(sha)) return { ok: false, problem: `not a full commit sha: ${JSON.stringify(sha.slice(0, 50))}` };
  return { ok: true, url: template.replaceAll("{rev}", sha) };
}

// nixos-rebuild on magi's machine, building the worktree and activating on the target over ssh.
export function buildNixosRebuildArgv(action: DeployAction, flakeDir: string, attr: string, target: { user: string; address: string }, privilegeFlag?: PrivilegeFlag): string[] {
  const argv = ["nixos-rebuild", action, "--flake", `${flakeDir}#${attr}`, "--target-host", `${target.user}@${target.address}`];
  return privilegeFlag ? [...argv, privilegeFlag] : argv;
}

// nixos-rebuild run on the host itself (over magi's SSH), fetching the flake by its pinned URL.
export function buildOnHostArgv(action: DeployAction, flakeUrl: string, attr: string): string[] {
  return ["nixos-rebuild", action, "--flake", `${flakeUrl}#${attr}`];
}

// deploy-rs; it has no "test" (activate without making it the boot default).
export function buildDeployRsArgv(action: DeployAction, flakeDir: string, attr: string): { ok: true; argv: string[] } | { ok: false; problem: string } {
  const argv = ["deploy", `${flakeDir}#${attr}`];
  switch (action) {
    case "switch":
      return { ok: true, argv };
    case "boot":
      return { ok: true, argv: [...argv, "--boot"] };
    case "dry-activate":
      return { ok: true, argv: [...argv, "--dry-activate"] };
    case "test":
      return { ok: false, problem: "deploy-rs has no test action (it always makes the new generation the boot default); use switch, boot or dry-activate" };
  }
}

// colmena, run with the worktree as its working directory (it finds flake.nix there).
export function buildColmenaArgv(action: DeployAction, attr: string): string[] {
  return ["colmena", "apply", action, "--on", attr];
}
