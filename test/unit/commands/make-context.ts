// A real command context for unit tests: in-memory SQLite for jobs and audit, a small inventory, and actions that record calls.
import { COMMANDS } from "../../../commands/registry.ts";
import type { Level } from "../../../domain/levels.ts";
import type { CommandContext } from "../../../commands/core/types.ts";
import type { HostActions } from "../../../runners/host-actions.ts";
import { createPolicyLookup, defaultPolicies } from "../../../commands/core/policies.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import pino from "pino";
import { createApprovals } from "../../../bot/approvals.ts";
import { createApprovalStore } from "../../../storage/approval-store.ts";
import { createDeployPort } from "../../../runners/deploy-actions.ts";
import { createEnrollPort } from "../../../runners/enroll/enroll-port.ts";
import { createJobQueue } from "../../../runners/jobs/job-queue.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { createJobStore } from "../../../storage/job-store.ts";
import { createLockStore } from "../../../storage/lock-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const HOSTS: HostEntry[] = [
  { name: "misato", address: "10.0.0.11", tags: ["k3s", "prod"], mac: "00:11:22:33:44:55", ssh: { name: "misato", address: "10.0.0.11", port: 22, user: "root", identityFile: "/k", hostKey: "ssh-ed25519 AAAA", sudo: false } },
  { name: "nas", address: "10.0.0.20", tags: ["storage"] },
];

// A context for the given level, plus the calls its actions received.
export function makeContext(level: Level, extra: Partial<CommandContext> = {}) {
  const db = openDatabase(":memory:");
  const calls: string[] = [];
  const actions: HostActions = {
    wake: async (host) => (calls.push(`wake ${host}`), { ok: true, summary: `${host} is up` }),
    power: async (host, action) => (calls.push(`${action} ${host}`), { ok: true, summary: `${host} done` }),
  };
  const jobs = createJobQueue({ store: createJobStore(db), concurrency: 2, listener: () => {} });
  const audit = createAuditLog(db);
  // The real approval flow over the same database; reply and edit are the Matrix boundary, so they only record.
  const approvals = createApprovals({
    store: createApprovalStore(db), audit, log: pino({ level: "silent" }), botUserId: "@magi:example.org", levelIn: () => 4, mayRedactOthers: async () => false,
    reply: { send: async () => "$prompt" }, edits: { edit: async () => void calls.push("edit prompt") }, execute: async () => "", now: () => Date.now(),
  });
  const ctx: CommandContext = {
    caller: { userId: "@dan:example.org", level },
    roomId: "!room:example.org",
    prefix: "!",
    commands: COMMANDS,
    audit,
    approvals,
    inventory: new Map(HOSTS.map((h) => [h.name, h])),
    jobs,
    actions,
    locks: createLockStore(db),
    alerts: { firing: () => [] },
    checks: { names: () => [], list: () => [], detail: () => undefined, pause: () => false, resume: () => false },
    silences: { groupAt: () => undefined, holds: () => false, urlOf: () => undefined, alertmanagers: () => [], create: async () => ({ ok: false, message: "no Alertmanager" }), listActive: async () => [], expire: async () => ({ ok: false, message: "no Alertmanager" }) },
    deploys: createDeployPort(undefined, new Map(HOSTS.map((h) => [h.name, h]))),
    enroll: createEnrollPort("enrollment is not configured (the enroll section of magi's config)", new Map(), { get: () => undefined, list: () => [], pin: () => {} }),
    status: { collect: async (hosts) => hosts.map((h) => ({ host: h.name, reach: "no-ssh" as const })) },
    policyFor: createPolicyLookup([], (host) => HOSTS.find((h) => h.name === host)?.tags, defaultPolicies(300_000)),
    now: () => Date.now(),
    ...extra,
  };
  return { ctx, calls, jobs, db, approvals };
}
