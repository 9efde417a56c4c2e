// Which commands need approval by default, and how config overrides that per command, host or tag.
import type { ApprovalPolicy } from "./approval-policy.ts";

// Built-in policies: powering a host off or rebooting it needs the requester's own ✅.
export function defaultPolicies(confirmMs: number): Record<string, ApprovalPolicy> {
  const confirm: ApprovalPolicy = { approvals: 1, minLevel: 4, self: "only", expiresMs: confirmMs };
  return { shutdown: confirm, reboot: confirm };
}

// Looks up the policy for a command on some hosts.
export function createPolicyLookup(policies: Record<string, ApprovalPolicy>): (command: string, hosts: string[]) => ApprovalPolicy | undefined {
  return (command) => policies[command];
}
