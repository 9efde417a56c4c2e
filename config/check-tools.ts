// Machine-local check that the programs magi itself starts are on PATH. Only programs run on magi's
// machine count: rollback, on-host rebuilds and wake relays run theirs on the hosts over SSH.
import { DEFAULT_DEPLOY_METHOD, type DeployMethod } from "../domain/deploy.ts";
import { findOnPath } from "./find-on-path.ts";
import type { Config } from "./schema.ts";

// nixos-rebuild --target-host, deploy-rs and colmena all reach the hosts through the ssh program.
const SSH = { tool: "ssh", fix: "install the OpenSSH client on magi's machine: the deploy tools reach the hosts with it" };

// The programs each deploy method starts on magi's machine (the argv[0]s in runners/deploy), and
// what to do when one is missing.
const LOCAL_TOOLS: Record<DeployMethod, { tool: string; fix: string }[]> = {
  "nixos-rebuild": [
    { tool: "nixos-rebuild", fix: "install nixos-rebuild on magi's machine, or use the nixos-rebuild-on-host method" },
    SSH,
  ],
  "nixos-rebuild-on-host": [],
  "deploy-rs": [
    { tool: "deploy", fix: "install deploy-rs on magi's machine; it provides the deploy program" },
    SSH,
  ],
  colmena: [
    { tool: "colmena", fix: "install colmena on magi's machine" },
    SSH,
  ],
};

// Every program a configured deploy needs that is not on searchPath, one line per program naming
// the config paths that need it. Without a deploy section nothing deploys, so nothing is needed.
export function checkTools(config: Config, searchPath: string = process.env.PATH ?? ""): string[] {
  if (!config.deploy) return [];
  const problems: string[] = [];
  if (!findOnPath("git", searchPath)) problems.push("deploy.flake_dir: git is not on PATH (install git on magi's machine: magi fetches the flake and checks out each deploy with it)");
  const needs = new Map<string, { fix: string; paths: string[] }>();
  for (const [name, host] of Object.entries(config.hosts)) {
    const method = host.deploy?.method ?? DEFAULT_DEPLOY_METHOD;
    const path = `hosts.${name}.deploy.method${host.deploy ? "" : ` (default ${DEFAULT_DEPLOY_METHOD})`}`;
    for (const { tool, fix } of LOCAL_TOOLS[method]) {
      if (!needs.has(tool)) needs.set(tool, { fix, paths: [] });
      needs.get(tool)!.paths.push(path);
    }
  }
  for (const [tool, { fix, paths }] of needs) {
    if (!findOnPath(tool, searchPath)) problems.push(`${paths.join(", ")}: ${tool} is not on PATH (${fix})`);
  }
  return problems;
}
