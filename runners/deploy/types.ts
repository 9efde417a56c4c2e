// What a deploy is: which host, which exact commit, how (method) and what to do with it (action).
import type { HostEntry } from "../inventory.ts";
import type { JobOutcome } from "../jobs/types.ts";

// How the flake reaches the host.
export const DEPLOY_METHODS = ["nixos-rebuild", "nixos-rebuild-on-host", "deploy-rs", "colmena"] as const;
export type DeployMethod = (typeof DEPLOY_METHODS)[number];

// What the host does with the new generation; switch is the default.
export const DEPLOY_ACTIONS = ["switch", "boot", "test", "dry-activate"] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];

// nixos-rebuild's ways to become root on the target: --use-remote-sudo before 24.11, --sudo after,
// --elevate=sudo in the newest nixos-rebuild-ng. None by default (deploying as root).
export const PRIVILEGE_FLAGS = ["--use-remote-sudo", "--sudo", "--elevate=sudo"] as const;
export type PrivilegeFlag = (typeof PRIVILEGE_FLAGS)[number];

// Where a deploy is in its run; phases only move forward.
export const DEPLOY_PHASES = ["checkout", "evaluating", "building", "copying", "activating"] as const;
export type DeployPhase = (typeof DEPLOY_PHASES)[number];

// One deploy, fully decided before it runs (the approval prompt names host, action and sha).
export interface DeployPlan {
  host: HostEntry;
  method: DeployMethod;
  action: DeployAction;
  // The resolved full commit sha; local methods build a worktree of exactly this commit.
  sha: string;
  // The flake checkout (config deploy.flake_dir); needed by the local methods.
  flakeDir: string;
  // nixosConfigurations / deploy.nodes / colmena attribute; defaults to the host name.
  flakeAttr?: string;
  // nixos-rebuild-on-host only: the flake URL with a {rev} placeholder, e.g. github:team/infra/{rev}.
  flakeUrl?: string;
  // nixos-rebuild (local) only.
  privilegeFlag?: PrivilegeFlag;
  // Local process or remote command limit; the job queue's own timeout aborts io.signal as well.
  timeoutMs?: number;
}

// How a deploy or rollback ended, with the host's /run/current-system before and after (basenames).
export type DeployOutcome = JobOutcome & { generationBefore?: string; generationAfter?: string };
