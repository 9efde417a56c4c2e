import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/load-config.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const base = `${MINIMAL_YAML}hosts:
  misato:
    address: 10.0.0.11
    tags: [k3s, prod]
  labbox:
    address: 10.0.0.30
    tags: [lab]
`;

const problems = (approvals: string) => {
  const result = parseConfig(`${base}approvals:\n${approvals}`, "/");
  return result.ok ? [] : result.problems;
};

describe("approvals config", () => {
  it("fills every default and reads hosts as a list", () => {
    const result = parseConfig(`${base}approvals:\n  - command: deploy\n    hosts: "@prod"\n  - command: deploy\n    hosts: [labbox, "@lab"]\n    approvals: 0\n`, "/");
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.config.approvals).toEqual([
      { command: "deploy", hosts: ["@prod"], approvals: 1, min_level: 3, self_approval: false, expires_minutes: 15 },
      { command: "deploy", hosts: ["labbox", "@lab"], approvals: 0, min_level: 3, self_approval: false, expires_minutes: 15 },
    ]);
  });

  it("is an empty list when the section is missing", () => {
    const result = parseConfig(base, "/");
    expect(result.ok && result.config.approvals).toEqual([]);
  });

  it("names a typo in a rule key with its path", () => {
    expect(problems("  - command: deploy\n    min_levle: admin\n")).toEqual(["approvals.0.min_levle: unknown key (did you mean min_level?)"]);
  });

  it("refuses hosts and tags the inventory doesn't have, so a typo can't drop an approval", () => {
    expect(problems('  - command: deploy\n    hosts: "@prdo"\n  - command: "*"\n    hosts: [misato, nas]\n')).toEqual([
      "approvals.0.hosts: no host has the tag @prdo",
      "approvals.1.hosts: unknown host nas",
    ]);
  });

  it("refuses impossible or unsafe rules", () => {
    expect(problems("  - command: deploy\n    approvals: 2\n    self_approval: only\n")).toEqual([
      "approvals.0.approvals: with self_approval: only the requester alone confirms, so approvals must be 0 or 1",
    ]);
    expect(problems("  - command: deploy\n    min_level: unknown\n")).toEqual(["approvals.0.min_level: approvers need at least level 1 (communication)"]);
    expect(problems('  - command: "!deploy"\n    hosts: "misato; rm -rf /"\n    self_approval: maybe\n')).toEqual([
      'approvals.0.command: expected a command name without the prefix, or "*", got "!deploy"',
      'approvals.0.hosts: expected a host name or @tag, got "misato; rm -rf /"',
      'approvals.0.self_approval: expected true, false or only, got "maybe"',
    ]);
    expect(problems("  - command: deploy\n    approvals: -1\n    expires_minutes: 0\n")).toHaveLength(2);
  });
});
