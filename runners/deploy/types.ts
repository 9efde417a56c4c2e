// What a deploy is: which host, which exact commit, how (method) and what to do with it (action).
import type { DeployAction, DeployMethod, PrivilegeFlag } from "../../domain/deploy.ts";
import type { HostEntry } from "../inventory.ts";
import type { JobOutcome } from "../jobs/types.ts";

// Methods, actions and privilege flags are the shared vocabulary in domain/deploy.ts.
export { DEPLOY_ACTIONS, DEPLOY_METHODS, PRIVILEGE_FLAGS, type DeployAction, type DeployMethod, type PrivilegeFlag } from "../../domain/deploy.ts";

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
