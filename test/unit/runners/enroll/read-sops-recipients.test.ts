// Reading recipients without decrypting: .sops.yaml rules (aliases, flat lists, several groups) and the metadata real
// sops writes in each file format; and how !recipients words what it found.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { describeAllRecipients, describeHostRecipients } from "../../../../commands/core/recipients-view.ts";
import type { RecipientsReport } from "../../../../runners/enroll/list-recipients.ts";
import { readFileRecipients, readSopsRecipients } from "../../../../runners/enroll/read-sops-recipients.ts";
import { createAgeKey, SOPS } from "../../../e2e/harness/sops-repo.ts";

const ADMIN = "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq";
const VPS = "age17044m9wgakla6pzftf4srtl3h5mcsr85jysgt5fg23zpnta8sfdqhzn452";
const OLD = "age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs";

describe("readSopsRecipients", () => {
  it("resolves aliases to their anchors' recipients, names them by anchor, and reads flat and multi-group rules", () => {
    const read = readSopsRecipients(`keys:
  - &admin ${ADMIN} # dan
  - &vps ${VPS}
creation_rules:
  - path_regex: secrets/vps/.*
    key_groups:
    - age:
      - *admin
      - *vps
  - path_regex: secrets/flat/.*
    age: ${ADMIN}, ${OLD}
  - path_regex: secrets/split/.*
    key_groups:
    - age: [*admin]
    - age:
      - *vps
`);
    if (typeof read === "string") throw new Error(read);
    expect(read.rules).toEqual([
      { pathRegex: "secrets/vps/.*", recipients: [ADMIN, VPS] },
      { pathRegex: "secrets/flat/.*", recipients: [ADMIN, OLD] },
      { pathRegex: "secrets/split/.*", recipients: [ADMIN, VPS] },
    ]);
    expect([...read.names]).toEqual([[ADMIN, "admin"], [VPS, "vps"]]);
  });

  it("says why a file can't be read", () => {
    expect(readSopsRecipients("keys: [")).toMatch(/^\.sops\.yaml does not parse: /);
    expect(readSopsRecipients("keys: []\n")).toBe(".sops.yaml has no creation_rules list");
  });
});

describe("readFileRecipients over files real sops encrypted", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-recipients-"));
  const recipients: string[] = [];
  const encrypt = async (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    await execa(SOPS, ["--encrypt", "--in-place", "--age", recipients.join(","), name], { cwd: dir });
    return readFileSync(join(dir, name), "utf8");
  };

  beforeAll(async () => {
    for (const name of ["a", "b"]) recipients.push((await createAgeKey(join(dir, `${name}.txt`))).recipient);
  });

  it("finds the recipients in yaml, json, dotenv, ini and binary files", async () => {
    expect(readFileRecipients(await encrypt("x.yaml", "a: 1\n"))?.sort()).toEqual([...recipients].sort());
    expect(readFileRecipients(await encrypt("x.json", '{"a": 1}\n'))?.sort()).toEqual([...recipients].sort());
    expect(readFileRecipients(await encrypt("x.env", "A=1\n"))?.sort()).toEqual([...recipients].sort());
    expect(readFileRecipients(await encrypt("x.ini", "[s]\nk = v\n"))?.sort()).toEqual([...recipients].sort());
    expect(readFileRecipients(await encrypt("x.bin", "\u0000\u0001 not text\n"))?.sort()).toEqual([...recipients].sort());
  });

  it("says a file without sops metadata has none", () => {
    expect(readFileRecipients("db_password: hunter2\n")).toBeUndefined();
    expect(readFileRecipients("not: [yaml")).toBeUndefined();
  });
});

describe("!recipients in words", () => {
  const report: RecipientsReport = {
    sha: "0123456789abcdef0123456789abcdef01234567",
    names: new Map([[ADMIN, "admin"], [VPS, "vps"]]),
    files: [
      { file: "secrets/vps/db.yaml", expected: [ADMIN, VPS], actual: [ADMIN, VPS] },
      { file: "secrets/nas/backup.yaml", expected: [ADMIN, VPS], actual: [ADMIN, OLD] },
      { file: "secrets/plain.yaml", expected: [ADMIN] },
    ],
  };

  it("lists every recipient's files and each disagreement between .sops.yaml and a file's metadata", () => {
    expect(describeAllRecipients(report)).toEqual([
      { kind: "text", text: "Who can decrypt which secrets file at 0123456789ab (from each file's sops metadata):" },
      { kind: "table", columns: ["recipient", "can decrypt"], rows: [
        ["admin", "secrets/vps/db.yaml, secrets/nas/backup.yaml"],
        ["vps", "secrets/vps/db.yaml"],
        ["age1a8pk4akr…", "secrets/nas/backup.yaml"],
      ] },
      { kind: "list", items: [
        "secrets/nas/backup.yaml: not re-encrypted for vps yet (.sops.yaml names it; sops updatekeys adds it)",
        "secrets/nas/backup.yaml: still encrypted for age1a8pk4akr…, which .sops.yaml no longer names for it",
        "secrets/plain.yaml: not encrypted with sops (it has no sops metadata)",
      ] },
    ]);
  });

  it("shows one host's files and only its disagreements, or that it has no anchor yet", () => {
    expect(describeHostRecipients(report, "vps")).toEqual([
      { kind: "text", text: `vps (${VPS}) can decrypt 1 file at 0123456789ab: secrets/vps/db.yaml` },
      { kind: "list", items: ["secrets/nas/backup.yaml: not re-encrypted for vps yet (.sops.yaml names it; sops updatekeys adds it)"] },
    ]);
    expect(describeHostRecipients(report, "lab")).toEqual([{ kind: "text", text: ".sops.yaml has no &lab anchor at 0123456789ab, so lab can decrypt no secrets file yet: !enroll lab adds it" }]);
  });
});
