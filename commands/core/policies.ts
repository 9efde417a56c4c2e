// Which commands need approval: config rules (first match wins, per host), built-in defaults, and the strictest host deciding.
//
// A request on several hosts is governed by the strictest policy among its hosts. "Any host matches the
// first rule" would let `!deploy misato,labbox` pass with no approval whenever a lax @lab rule is listed
// above a strict @prod one: adding a harmless host to a request must never make it easier to run.
import type { ApprovalPolicy } from "./approval-policy.ts";
import type { ApprovalRuleConfig } from "../../config/schema.ts";
import { LEVELS } from "../../domain/levels.ts";
import { TAG_MARK } from "../../domain/names.ts";

// Finds the approval policy for a command on some hosts; undefined means it runs without asking.
export type PolicyLookup = (command: string, hosts: string[]) => ApprovalPolicy | undefined;

// The tags a host has in the inventory (undefined for a host magi doesn't know).
export type TagsOf = (host: string) => readonly string[] | undefined;

// Built-in policies, used when no rule matches: powering a host off or rebooting it needs the requester's own ✅,
// and a deploy (not a dry run) needs a second deployer, so safety is the default and a rule must relax it.
export function defaultPolicies(confirmMs: number): Record<string, ApprovalPolicy> {
  const confirm: ApprovalPolicy = { approvals: 1, minLevel: LEVELS.admin, self: "only", expiresMs: confirmMs };
  const secondPerson: ApprovalPolicy = { approvals: 1, minLevel: LEVELS.deployer, self: "forbidden", expiresMs: 15 * 60_000 };
  // Enrolling a key gives a machine the team's secrets: another admin checks the fingerprint.
  const anotherAdmin: ApprovalPolicy = { approvals: 1, minLevel: LEVELS.admin, self: "forbidden", expiresMs: 15 * 60_000 };
  return { shutdown: confirm, reboot: confirm, deploy: secondPerson, enroll: anotherAdmin };
}

// The policy a rule sets; approvals: 0 means none is needed.
export function readRulePolicy(rule: ApprovalRuleConfig): ApprovalPolicy | undefined {
  if (rule.approvals === 0) return undefined;
  const self = rule.self_approval === "only" ? "only" : rule.self_approval ? "allowed" : "forbidden";
  return { approvals: rule.approvals, minLevel: rule.min_level, self, expiresMs: rule.expires_minutes * 60_000 };
}

// Whether a rule covers a host; a rule without hosts covers every host, and a request with no host.
function matchesHost(rule: ApprovalRuleConfig, host: string | undefined, tagsOf: TagsOf): boolean {
  if (!rule.hosts) return true;
  if (host === undefined) return false;
  const tags = tagsOf(host) ?? [];
  return rule.hosts.some((m) => (m.startsWith(TAG_MARK) ? tags.includes(m.slice(TAG_MARK.length)) : m === host));
}

// Orders policies by strictness: needing someone other than the requester first, then more approvals, a higher level, a shorter window.
export function compareStrictness(a: ApprovalPolicy | undefined, b: ApprovalPolicy | undefined): number {
  const key = (p: ApprovalPolicy | undefined) => (p ? [1, p.self === "forbidden" ? 1 : 0, p.approvals, p.minLevel, -p.expiresMs] : [0, 0, 0, 0, 0]);
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return 0;
}

// Looks up policies: for each host the first matching rule (or the built-in default), then the strictest of those.
export function createPolicyLookup(rules: readonly ApprovalRuleConfig[], tagsOf: TagsOf, defaults: Record<string, ApprovalPolicy>): PolicyLookup {
  return (command, hosts) => {
    let strictest: ApprovalPolicy | undefined;
    const targets: (string | undefined)[] = hosts.length > 0 ? hosts : [undefined];
    for (const host of targets) {
      const rule = rules.find((r) => (r.command === "*" || r.command === command) && matchesHost(r, host, tagsOf));
      const policy = rule ? readRulePolicy(rule) : defaults[command];
      if (compareStrictness(policy, strictest) > 0) strictest = policy;
    }
    return strictest;
  };
}

// Problems with the commands rules name: a misspelt or aliased name would never match, silently dropping an approval.
export function checkRuleCommands(rules: readonly ApprovalRuleConfig[], commands: readonly { name: string; aliases: string[] }[]): string[] {
  return rules.flatMap((rule, index) => {
    if (rule.command === "*" || commands.some((c) => c.name === rule.command)) return [];
    const aliased = commands.find((c) => c.aliases.includes(rule.command));
    const hint = aliased ? `it is an alias: use ${aliased.name}` : `known commands: ${commands.map((c) => c.name).join(", ")}`;
    return [`approvals.${index}.command: unknown command ${rule.command} (${hint})`];
  });
}
