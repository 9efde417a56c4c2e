// The deploy port commands use: resolve a ref to one commit, deploy it to a host, roll back, list generations.
import type { Config } from "../config/schema.ts";
import { DEFAULT_DEPLOY_METHOD } from "../domain/deploy.ts";
import { listGenerations, rollback, runDeploy, type DeployAction, type Generation } from "./deploy/index.ts";
import { resolveRevision } from "./flake/index.ts";
import type { Inventory } from "./inventory.ts";
import type { JobIO, JobOutcome } from "./jobs/types.ts";
import { checkApprovedBuild, describeActivatedMismatch } from "./preview/check-approved-build.ts";
import { findOnPath } from "../config/find-on-path.ts";
import { createPreviewCache, previewHost, type PreviewOptions } from "./preview/run-preview.ts";
import type { HostPreview } from "./preview/types.ts";

// What deploy commands may do.
export interface DeployPort {
  configured: boolean;
  resolve(ref: string | undefined): Promise<{ ok: true; sha: string; subject: string } | { ok: false; problem: string }>;
  // With approvedPath, the deploy runs only if sha still builds that store path (the one its approvers saw).
  deploy(host: string, sha: string, action: DeployAction, io: JobIO, approvedPath?: string): Promise<JobOutcome>;
  // Whether deploys are built and previewed before approval (deploy.preview, or nix on PATH when auto).
  previews: boolean;
  // Builds sha for host and compares it with what the host runs; onProgress gets "214/530 derivations", log the readable lines.
  preview(host: string, sha: string, io?: Pick<PreviewOptions, "onProgress" | "signal" | "log">): Promise<HostPreview>;
  rollback(host: string, generation: string | undefined, io: JobIO): Promise<JobOutcome>;
  generations(host: string): Promise<{ ok: true; generations: Generation[] } | { ok: false; problem: string }>;
}

// A DeployPort over the flake checkout and hosts in config; prefix is the command prefix its messages advise with.
export function createDeployPort(config: Config["deploy"], inventory: Inventory, prefix?: string): DeployPort {
  const advice = prefix ? { prefix } : {};
  const entry = (name: string) => {
    const host = inventory.get(name);
    if (!host) throw new Error(`unknown host ${name}`);
    return host;
  };
  const missing = { ok: false as const, problem: "deploys are not configured (the deploy section of config.yaml)" };
  const cache = createPreviewCache();
  const planFor = (name: string, sha: string, action: DeployAction, flakeDir: string, timeoutMs: number) => {
    const host = entry(name);
    const d = host.deploy ?? { method: DEFAULT_DEPLOY_METHOD };
    return { host, sha, action, flakeDir, method: d.method, timeoutMs,
      ...(d.flakeAttr ? { flakeAttr: d.flakeAttr } : {}), ...(d.flakeUrl ? { flakeUrl: d.flakeUrl } : {}), ...(d.privilegeFlag ? { privilegeFlag: d.privilegeFlag } : {}) };
  };
  return {
    configured: config !== undefined,
    resolve: async (ref) => (config ? resolveRevision(config.flake_dir, ref, { remote: config.remote, branch: config.branch }) : missing),
    deploy: async (name, sha, action, io, approvedPath) => {
      if (!config) return { ok: false, summary: missing.problem };
      const plan = planFor(name, sha, action, config.flake_dir, config.timeout_minutes * 60_000);
      const refused = approvedPath && plan.method !== "nixos-rebuild-on-host" ? await checkApprovedBuild(plan, approvedPath, io) : undefined;
      if (refused) return { ok: false, summary: refused };
      const outcome = await runDeploy(plan, io, advice);
      const mismatch = approvedPath && (action === "switch" || action === "test") ? describeActivatedMismatch(name, approvedPath, outcome.generationAfter) : undefined;
      return mismatch ? { ...outcome, ok: false, summary: `${outcome.summary}; ${mismatch}` } : outcome;
    },
    previews: config !== undefined && (config.preview === "auto" ? findOnPath("nix") !== undefined : config.preview),
    preview: async (name, sha, io) => {
      if (!config) return { ok: false, host: name, problem: missing.problem, tail: [] };
      return previewHost(planFor(name, sha, "switch", config.flake_dir, config.timeout_minutes * 60_000), { cache, ...io });
    },
    rollback: (name, generation, io) => rollback(entry(name), generation, io, advice),
    generations: (name) => listGenerations(entry(name)),
  };
}
