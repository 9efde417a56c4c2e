// The deploy port commands use: resolve a ref to one commit, deploy it to a host, roll back, list generations.
import type { Config } from "../config/schema.ts";
import { DEFAULT_DEPLOY_METHOD } from "../domain/deploy.ts";
import { listGenerations, rollback, runDeploy, type DeployAction, type Generation } from "./deploy/index.ts";
import { resolveRevision } from "./flake/index.ts";
import type { Inventory } from "./inventory.ts";
import type { JobIO, JobOutcome } from "./jobs/types.ts";

// What deploy commands may do.
export interface DeployPort {
  configured: boolean;
  resolve(ref: string | undefined): Promise<{ ok: true; sha: string; subject: string } | { ok: false; problem: string }>;
  deploy(host: string, sha: string, action: DeployAction, io: JobIO): Promise<JobOutcome>;
  rollback(host: string, generation: string | undefined, io: JobIO): Promise<JobOutcome>;
  generations(host: string): Promise<{ ok: true; generations: Generation[] } | { ok: false; problem: string }>;
}

// A DeployPort over the flake checkout and hosts in config.
export function createDeployPort(config: Config["deploy"], inventory: Inventory): DeployPort {
  const entry = (name: string) => {
    const host = inventory.get(name);
    if (!host) throw new Error(`unknown host ${name}`);
    return host;
  };
  const missing = { ok: false as const, problem: "deploys are not configured (the deploy section of config.yaml)" };
  return {
    configured: config !== undefined,
    resolve: async (ref) => (config ? resolveRevision(config.flake_dir, ref, { remote: config.remote, branch: config.branch }) : missing),
    deploy: async (name, sha, action, io) => {
      if (!config) return { ok: false, summary: missing.problem };
      const host = entry(name);
      const d = host.deploy ?? { method: DEFAULT_DEPLOY_METHOD };
      return runDeploy({ host, sha, action, flakeDir: config.flake_dir, method: d.method, timeoutMs: config.timeout_minutes * 60_000,
        ...(d.flakeAttr ? { flakeAttr: d.flakeAttr } : {}), ...(d.flakeUrl ? { flakeUrl: d.flakeUrl } : {}), ...(d.privilegeFlag ? { privilegeFlag: d.privilegeFlag } : {}) }, io);
    },
    rollback: (name, generation, io) => rollback(entry(name), generation, io),
    generations: (name) => listGenerations(entry(name)),
  };
}
