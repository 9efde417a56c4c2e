import { describe, expect, it } from "vitest";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import { checkRuleCommands, compareStrictness, createPolicyLookup, defaultPolicies } from "../../../commands/core/policies.ts";
import { COMMANDS } from "../../../commands/registry.ts";
import type { ApprovalRuleConfig } from "../../../config/schema.ts";

const TAGS: Record<string, string[]> = { misato: ["k3s", "prod"], kaji: ["k3s", "prod"], labbox: ["lab"], nas: ["storage"] };
const tagsOf = (host: string) => TAGS[host];
const defaults = defaultPolicies(5 * 60_000);

// A rule as the config schema fills it in.
const rule = (r: Partial<ApprovalRuleConfig> & { command: string }): ApprovalRuleConfig => ({ approvals: 1, min_level: 3, self_approval: false, expires_minutes: 15, ...r });
const policy = (p: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({ approvals: 1, minLevel: 3, self: "forbidden", expiresMs: 15 * 60_000, ...p });

describe("approval policies", () => {
  it("keeps the built-in confirmation for shutdown and reboot when no rule matches", () => {
    const lookup = createPolicyLookup([], tagsOf, defaults);
    expect(lookup("reboot", ["misato"])).toEqual({ approvals: 1, minLevel: 4, self: "only", expiresMs: 300_000 });
    expect(lookup("wake", ["misato"])).toBeUndefined();
  });

  it("asks a second deployer for a deploy when no rule says otherwise", () => {
    const lookup = createPolicyLookup([], tagsOf, defaults);
    expect(lookup("deploy", ["misato"])).toEqual({ approvals: 1, minLevel: 3, self: "forbidden", expiresMs: 15 * 60_000 });
    expect(lookup("rollback", ["misato"])).toBeUndefined();
  });

  it("matches by host name, @tag or list, and takes the first matching rule", () => {
    const lookup = createPolicyLookup(
      [
        rule({ command: "deploy", hosts: ["@lab"], approvals: 0 }),
        rule({ command: "deploy", hosts: ["@prod"], approvals: 2, min_level: 4 }),
        rule({ command: "deploy", hosts: ["nas", "@nothing"], self_approval: true }),
        rule({ command: "deploy", approvals: 1, self_approval: "only", expires_minutes: 3 }),
      ],
      tagsOf,
      defaults,
    );
    expect(lookup("deploy", ["labbox"])).toBeUndefined();
    expect(lookup("deploy", ["misato"])).toEqual(policy({ approvals: 2, minLevel: 4 }));
    expect(lookup("deploy", ["nas"])).toEqual(policy({ self: "allowed" }));
    expect(lookup("deploy", ["stranger"])).toEqual(policy({ self: "only", expiresMs: 180_000 }));
    expect(lookup("deploy", [])).toEqual(policy({ self: "only", expiresMs: 180_000 }));
    expect(lookup("wake", ["misato"])).toBeUndefined();
  });

  it("holds a multi-host request to its strictest host, whatever the rule order", () => {
    const rules = [rule({ command: "deploy", hosts: ["@lab"], approvals: 0 }), rule({ command: "deploy", hosts: ["@prod"] })];
    for (const ordered of [rules, [...rules].reverse()]) {
      const lookup = createPolicyLookup(ordered, tagsOf, defaults);
      expect(lookup("deploy", ["labbox", "misato"])).toEqual(policy());
      expect(lookup("deploy", ["labbox"])).toBeUndefined();
    }
  });

  it("lets a rule replace a built-in default, '*' rules too, and only where it matches", () => {
    const lookup = createPolicyLookup([rule({ command: "*", hosts: ["@lab"], approvals: 0 }), rule({ command: "reboot", hosts: ["misato"], min_level: 4 })], tagsOf, defaults);
    expect(lookup("reboot", ["labbox"])).toBeUndefined();
    expect(lookup("reboot", ["misato"])).toEqual(policy({ minLevel: 4 }));
    expect(lookup("shutdown", ["misato"])).toEqual(defaults.shutdown);
    expect(lookup("shutdown", ["misato", "labbox"])).toEqual(defaults.shutdown);
  });

  it("ranks needing another person above everything else", () => {
    const confirm = policy({ self: "only", approvals: 1, minLevel: 4, expiresMs: 1 });
    expect(compareStrictness(policy({ minLevel: 1 }), confirm)).toBeGreaterThan(0);
    expect(compareStrictness(policy({ approvals: 2 }), policy())).toBeGreaterThan(0);
    expect(compareStrictness(policy({ expiresMs: 60_000 }), policy())).toBeGreaterThan(0);
    expect(compareStrictness(undefined, confirm)).toBeLessThan(0);
    expect(compareStrictness(policy(), policy())).toBe(0);
  });

  it("refuses rules for commands magi doesn't have, naming the alias to avoid", () => {
    expect(checkRuleCommands([rule({ command: "*" }), rule({ command: "reboot" })], COMMANDS)).toEqual([]);
    expect(checkRuleCommands([rule({ command: "shutdown" }), rule({ command: "poweroff" }), rule({ command: "rebot" })], COMMANDS)).toEqual([
      "approvals.1.command: unknown command poweroff (it is an alias: use shutdown)",
      expect.stringMatching(/^approvals\.2\.command: unknown command rebot \(known commands: help, whoami, .*reboot/),
    ]);
  });
});
