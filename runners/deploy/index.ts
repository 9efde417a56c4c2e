// Public surface of the deploy runner: plans, argv templates, running, generations and rollback.
export { DEPLOY_ACTIONS, DEPLOY_METHODS, DEPLOY_PHASES, PRIVILEGE_FLAGS, type DeployAction, type DeployMethod, type DeployOutcome, type DeployPhase, type DeployPlan, type PrivilegeFlag } from "./types.ts";
export { buildColmenaArgv, buildDeployRsArgv, buildNixosRebuildArgv, buildOnHostArgv, checkFlakeAttr, checkFlakeUrl, renderFlakeUrl } from "./build-deploy-argv.ts";
export { buildNixSshOpts, formatKnownHostsLine } from "./nix-ssh-opts.ts";
export { createPhaseTracker, detectPhase } from "./parse-phase.ts";
export { explainExit, findFailedUnits, formatDuration, pickErrorLine, shortenGeneration, type ExitFacts } from "./explain-exit.ts";
export { runDeploy, type DeployRunOptions } from "./run-deploy.ts";
export { readCurrentGeneration, toGenerationName } from "./read-generation.ts";
export { parseGenerations, type Generation } from "./parse-generations.ts";
export { listGenerations, type ListGenerationsOptions } from "./list-generations.ts";
export { buildRollbackSteps, rollback, SYSTEM_PROFILE, type RollbackOptions } from "./rollback.ts";
