// The .sops.yaml edit: anchors, aliases, comments and layout survive; bad layouts are refused with a reason.
import { describe, expect, it } from "vitest";
import { editSopsConfig, listSopsRules, readHostRecipient, selectRuleFiles } from "../../../../runners/enroll/edit-sops-config.ts";

const NEW = "age17044m9wgakla6pzftf4srtl3h5mcsr85jysgt5fg23zpnta8sfdqhzn452";
const OLD = "age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs";
const SOPS = `# managed by hand and by magi
keys:
  - &admin age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq # dan's yubikey
creation_rules:
  # the VPS and everything shared
  - path_regex: secrets/vps/[^/]+\\.yaml$
    key_groups:
    - age:
      - *admin
  - path_regex: secrets/common/.*
    key_groups:
    - age:
      - *admin
  - path_regex: secrets/nas/.*
    key_groups:
    - age:
      - *admin
`;

describe("editSopsConfig", () => {
  it("adds the host's anchor and an alias in exactly the host's rules, keeping comments, anchors and layout", () => {
    const edit = editSopsConfig(SOPS, "vps", NEW, ["secrets/vps/[^/]+\\.yaml$", "secrets/common/.*"], false);
    if (typeof edit === "string") throw new Error(edit);
    expect(edit.changed).toBe(true);
    expect(edit.text).toBe(SOPS
      .replace("# dan's yubikey\n", `# dan's yubikey\n  - &vps ${NEW}\n`)
      .replace("secrets/vps/[^/]+\\.yaml$\n    key_groups:\n    - age:\n      - *admin\n", "secrets/vps/[^/]+\\.yaml$\n    key_groups:\n    - age:\n      - *admin\n      - *vps\n")
      .replace("secrets/common/.*\n    key_groups:\n    - age:\n      - *admin\n", "secrets/common/.*\n    key_groups:\n    - age:\n      - *admin\n      - *vps\n"));
    expect(readHostRecipient(edit.text, "vps")).toBe(NEW);
  });

  it("is a no-op when the host is already there", () => {
    const first = editSopsConfig(SOPS, "vps", NEW, ["secrets/common/.*"], false) as { text: string };
    const again = editSopsConfig(first.text, "vps", NEW, ["secrets/common/.*"], false);
    expect(again).toEqual({ text: first.text, changed: false, previous: NEW });
  });

  it("refuses another recipient under the host's anchor unless replacing, and then re-points it", () => {
    const old = editSopsConfig(SOPS, "vps", OLD, ["secrets/common/.*"], false) as { text: string };
    expect(editSopsConfig(old.text, "vps", NEW, ["secrets/common/.*"], false)).toBe(`.sops.yaml already has &vps with another recipient (${OLD}); if the host was reinstalled, use --replace`);
    const replaced = editSopsConfig(old.text, "vps", NEW, ["secrets/common/.*"], true);
    if (typeof replaced === "string") throw new Error(replaced);
    expect(replaced.previous).toBe(OLD);
    expect(replaced.text).toBe(old.text.replace(OLD, NEW));
  });

  it("removes the old recipient written out in full when replacing", () => {
    const literal = SOPS.replace("  - &admin", `  - &vps ${OLD}\n  - &admin`).replace("secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n", `secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n      - ${OLD}\n`);
    const replaced = editSopsConfig(literal, "vps", NEW, ["secrets/nas/.*"], true) as { text: string };
    expect(replaced.text).not.toContain(OLD);
    expect(replaced.text).toContain("secrets/nas/.*\n    key_groups:\n    - age:\n      - *admin\n      - *vps\n");
  });

  it("names what is wrong with a file it can't edit", () => {
    expect(editSopsConfig(SOPS, "vps", NEW, ["secrets/k3s/.*"], false)).toBe(".sops.yaml has no creation rule with path_regex secrets/k3s/.*");
    expect(editSopsConfig("creation_rules: [\n", "vps", NEW, [], false)).toMatch(/^\.sops\.yaml does not parse: /);
    const shamir = SOPS.replace("    - age:\n      - *admin\n  - path_regex: secrets/common", "    - age:\n      - *admin\n    - age:\n      - *admin\n  - path_regex: secrets/common");
    expect(editSopsConfig(shamir, "vps", NEW, ["secrets/vps/[^/]+\\.yaml$"], false)).toBe("creation rule secrets/vps/[^/]+\\.yaml$ has 2 key groups; sops-nix needs exactly one");
    expect(editSopsConfig("creation_rules:\n  - path_regex: x\n    age: age1abc\n", "vps", NEW, ["x"], false)).toBe("creation rule x has no key_groups (magi adds recipients to key_groups: [{age: [...]}] only)");
  });
});

describe("selectRuleFiles", () => {
  it("picks the files whose first matching rule is one of the host's", () => {
    const rules = listSopsRules(SOPS);
    if (typeof rules === "string") throw new Error(rules);
    const files = [".sops.yaml", "secrets/vps/db.yaml", "secrets/vps/sub/x.yaml", "secrets/common/wifi.yaml", "secrets/nas/backup.yaml", "flake.nix"];
    expect(selectRuleFiles(rules, files, ["secrets/vps/[^/]+\\.yaml$", "secrets/common/.*"])).toEqual(["secrets/vps/db.yaml", "secrets/common/wifi.yaml"]);
  });
});
