// Holds a deploy to what its approvers saw: before the deploy tool runs, the commit is built again, and a
// store path other than the approved one (a flake input that moved, a build that is not reproducible)
// stops the deploy with the reason.
import type { DeployPlan } from "../deploy/types.ts";
import type { JobIO } from "../jobs/types.ts";
import { buildSystem } from "./build-system.ts";

// Undefined when sha still builds exactly the approved path; otherwise what to tell the room.
export async function checkApprovedBuild(plan: DeployPlan, approvedPath: string, io: JobIO): Promise<string | undefined> {
  const name = plan.host.name;
  const sha7 = plan.sha.slice(0, 7);
  io.log(`checking that ${sha7} still builds the approved ${approvedPath}`);
  const built = await buildSystem({ flakeDir: plan.flakeDir, sha: plan.sha, attr: plan.flakeAttr ?? name, timeoutMs: plan.timeoutMs ?? 60 * 60_000, signal: io.signal, onLine: io.log });
  if (!built.ok) return `not deploying ${sha7} to ${name}: building it again to check it against the approval failed (${built.problem}); nothing was activated`;
  if (built.path === approvedPath) return undefined;
  return `refusing to deploy ${sha7} to ${name}: it now builds ${built.path}, not the approved ${approvedPath} (a flake input changed or the build is not reproducible); nothing was activated. Send the deploy again to preview and approve this build`;
}

// After a switch or test: whether the host runs the approved path; a note for the outcome when it does not.
export function describeActivatedMismatch(name: string, approvedPath: string, generationAfter: string | undefined): string | undefined {
  if (!generationAfter || approvedPath.endsWith(`/${generationAfter}`)) return undefined;
  return `but ${name} now runs ${generationAfter}, not the approved ${approvedPath.slice(approvedPath.lastIndexOf("/") + 1)}`;
}
