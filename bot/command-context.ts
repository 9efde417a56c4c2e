// Builds the narrow context each command runs in, from the services the bot started.
import type { ApprovalPolicy } from "../commands/core/approval-policy.ts";
import { COMMANDS } from "../commands/registry.ts";
import type { Caller, CommandContext } from "../commands/core/types.ts";
import type { HostActions } from "../runners/host-actions.ts";
import type { Inventory } from "../runners/inventory.ts";
import type { JobsPort } from "../runners/jobs/types.ts";
import type { StatusPort } from "../runners/status/types.ts";
import type { DeployPort } from "../runners/deploy-actions.ts";
import type { EnrollPort } from "../runners/enroll/enroll-port.ts";
import type { LockPort } from "../commands/core/lock-port.ts";
import type { AlertsPort } from "../commands/core/alerts-port.ts";
import type { ChecksPort } from "../commands/core/checks-port.ts";
import type { SilencesPort } from "../commands/core/silences-port.ts";
import type { AuditLog } from "../storage/audit-log.ts";

// Everything a context is made of.
export interface ContextServices {
  prefix: string;
  inventory: Inventory;
  audit: AuditLog;
  jobs: JobsPort;
  actions: HostActions;
  status: StatusPort;
  locks: LockPort;
  alerts: AlertsPort;
  checks: ChecksPort;
  silences: SilencesPort;
  deploys: DeployPort;
  enroll: EnrollPort;
  approvals: CommandContext["approvals"];
  policyFor(command: string, hosts: string[]): ApprovalPolicy | undefined;
}

// Returns a factory for per-command contexts.
export function createContextFactory(services: ContextServices) {
  return (caller: Caller, roomId: string, approved?: CommandContext["approved"], replyTo?: string): CommandContext => ({
    caller,
    roomId,
    prefix: services.prefix,
    commands: COMMANDS,
    audit: services.audit,
    inventory: services.inventory,
    jobs: services.jobs,
    actions: services.actions,
    status: services.status,
    locks: services.locks,
    alerts: services.alerts,
    checks: services.checks,
    silences: services.silences,
    deploys: services.deploys,
    enroll: services.enroll,
    approvals: services.approvals,
    policyFor: services.policyFor,
    ...(approved ? { approved } : {}),
    ...(replyTo ? { replyTo } : {}),
    now: () => Date.now(),
  });
}
