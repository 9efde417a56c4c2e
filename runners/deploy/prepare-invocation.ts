// Decides exactly what runs for a plan: the argv, and where (magi's machine in a worktree of the
// commit, or the host over SSH), plus whatever must be cleaned up afterwards.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareWorktree } from "../flake/index.ts";
import type { SshTarget } from "../ssh/index.ts";
import { buildColmenaArgv, buildDeployRsArgv, buildNixosRebuildArgv, buildOnHostArgv, checkFlakeAttr, renderFlakeUrl } from "./build-deploy-argv.ts";
import { buildNixSshOpts, formatKnownHostsLine } from "./nix-ssh-opts.ts";
import type { DeployPlan } from "./types.ts";

// What to run and where.
export type Invocation =
  | { where: "local"; argv: string[]; cwd?: string; env: Record<string, string> }
  | { where: "host"; argv: string[]; target: SshTarget; sudo: boolean };

// A ready invocation and its cleanup, or why there is none.
export type Prepared = { ok: true; invocation: Invocation; cleanup(): Promise<void> } | { ok: false; problem: string };

// Writes a one-line known_hosts pinning the target, for the ssh that nixos-rebuild and nix copy run.
export async function writeKnownHosts(target: SshTarget): Promise<{ file: string; dir: string } | string> {
  const line = formatKnownHostsLine(target);
  if (!line) return `refusing to deploy to ${target.name} with nixos-rebuild: no pinned host key`;
  const dir = await mkdtemp(join(tmpdir(), "magi-ssh-"));
  const file = join(dir, "known_hosts");
  await writeFile(file, line, { mode: 0o600 });
  return { file, dir };
}

// The on-host method needs no checkout: the host fetches the pinned flake URL itself.
function prepareOnHost(plan: DeployPlan, attr: string): Prepared {
  const target = plan.host.ssh;
  if (!target) return { ok: false, problem: `${plan.host.name} has no ssh settings, which nixos-rebuild-on-host needs` };
  if (!plan.flakeUrl) return { ok: false, problem: `${plan.host.name} has no deploy.flake_url, which nixos-rebuild-on-host needs` };
  const rendered = renderFlakeUrl(plan.flakeUrl, plan.sha);
  if (!rendered.ok) return rendered;
  return { ok: true, invocation: { where: "host", argv: buildOnHostArgv(plan.action, rendered.url, attr), target, sudo: target.sudo }, cleanup: async () => {} };
}

// Checks out the commit, then builds the local argv inside it.
export async function prepareInvocation(plan: DeployPlan, opts: { env?: Record<string, string>; worktreeParent?: string; signal?: AbortSignal }): Promise<Prepared> {
  const attr = plan.flakeAttr ?? plan.host.name;
  const refused = checkFlakeAttr(attr);
  if (refused) return { ok: false, problem: refused };
  if (plan.method === "nixos-rebuild-on-host") return prepareOnHost(plan, attr);
  if (plan.method === "nixos-rebuild" && !plan.host.ssh) return { ok: false, problem: `${plan.host.name} has no ssh settings, which nixos-rebuild --target-host needs` };
  // Refuse what cannot run before paying for a checkout.
  const probe = plan.method === "deploy-rs" ? buildDeployRsArgv(plan.action, "", attr) : undefined;
  if (probe && !probe.ok) return probe;
  const checkout = await prepareWorktree(plan.flakeDir, plan.sha, { ...(opts.worktreeParent ? { parentDir: opts.worktreeParent } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (!checkout.ok) return checkout;
  const { dir, remove } = checkout.worktree;
  const env = { ...opts.env };
  const fail = async (problem: string): Promise<Prepared> => (await remove(), { ok: false, problem });
  switch (plan.method) {
    case "nixos-rebuild": {
      const target = plan.host.ssh!;
      const pinned = await writeKnownHosts(target);
      if (typeof pinned === "string") return fail(pinned);
      const cleanup = async () => (await remove(), await rm(pinned.dir, { recursive: true, force: true }));
      const sshOpts = buildNixSshOpts(target, pinned.file);
      if (!sshOpts.ok) return (await cleanup(), { ok: false, problem: sshOpts.problem });
      const argv = buildNixosRebuildArgv(plan.action, dir, attr, { user: target.user, address: target.address }, plan.privilegeFlag);
      return { ok: true, invocation: { where: "local", argv, env: { ...env, NIX_SSHOPTS: sshOpts.value } }, cleanup };
    }
    case "deploy-rs": {
      const built = buildDeployRsArgv(plan.action, dir, attr);
      if (!built.ok) return fail(built.problem);
      return { ok: true, invocation: { where: "local", argv: built.argv, env }, cleanup: remove };
    }
    case "colmena":
      return { ok: true, invocation: { where: "local", argv: buildColmenaArgv(plan.action, attr), cwd: dir, env }, cleanup: remove };
  }
}
