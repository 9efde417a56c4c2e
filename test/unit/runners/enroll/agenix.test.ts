// agenix without Nix: the keys and files JSON, and reading which SSH key an age file is encrypted to from the header
// real age writes.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { editAgenixKeys, listAgenixFiles, parseAgenixFiles, parseAgenixKeys } from "../../../../runners/enroll/agenix-config.ts";
import { isEncryptedToSshKey } from "../../../../runners/enroll/run-age.ts";
import { parsePublicKeyLine } from "../../../../runners/ssh/host-key.ts";

const VPS = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPA1hDYS+yqSW2b8LlMhG2aoj9TxeE9+kxXRg2PAkL0i";
const OTHER = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAKhyCB2Gu+Go6Y4b8nXWRdgyh5qvxkX+3s0Iw/3sLdM";

describe("the agenix JSON files", () => {
  it("sets a host's key (comment dropped, order kept) and refuses another key without --replace", () => {
    const keys = { admin: "age1admin", vps: `${VPS} root@vps` };
    expect(editAgenixKeys(keys, "vps", `${VPS} other-comment`, false, "secrets/keys.json")).toEqual({ text: `${JSON.stringify(keys, null, 2)}\n`, changed: false, previous: `${VPS} root@vps` });
    expect(editAgenixKeys(keys, "vps", OTHER, false, "secrets/keys.json")).toBe(`secrets/keys.json already has another key for vps (${VPS.slice(0, 40)}…); if the host was reinstalled, use --replace`);
    expect(editAgenixKeys(keys, "vps", OTHER, true, "secrets/keys.json")).toEqual({ text: `{\n  "admin": "age1admin",\n  "vps": "${OTHER}"\n}\n`, changed: true, previous: `${VPS} root@vps` });
    expect(editAgenixKeys({ admin: "age1admin" }, "nas", OTHER, false, "k.json")).toMatchObject({ text: `{\n  "admin": "age1admin",\n  "nas": "${OTHER}"\n}\n`, changed: true });
  });

  it("lists the files naming the host, as repository paths, with the keys of the names that have one", () => {
    const files = { "vps.age": ["admin", "vps"], "nas.age": ["admin", "nas"], "../shared/wifi.age": ["vps", "nas", "vps"] };
    expect(listAgenixFiles(files, { admin: "age1admin", vps: `${VPS} c` }, "vps", "secrets/files.json")).toEqual([
      { file: "secrets/vps.age", recipients: ["age1admin", VPS] },
      { file: "shared/wifi.age", recipients: [VPS] },
    ]);
  });

  it("refuses JSON of the wrong shape with the file's path", () => {
    expect(parseAgenixKeys("[1]", "secrets/keys.json")).toBe("secrets/keys.json is not a JSON object");
    expect(parseAgenixKeys('{"vps": ["a"]}', "secrets/keys.json")).toBe("secrets/keys.json: the key of vps is not a string (one public key line per name)");
    expect(parseAgenixFiles('{"a.age": "vps"}', "secrets/files.json")).toBe('secrets/files.json: a.age must list key names, like ["admin", "vps"]');
    expect(parseAgenixFiles("{", "secrets/files.json")).toMatch(/^secrets\/files\.json is not JSON: /);
  });
});

describe("reading an age header", () => {
  it("tells whether real age encrypted a file to an ssh-ed25519 key, armored or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-age-"));
    for (const armor of [[], ["-a"]]) {
      const out = join(dir, `x${armor.length}.age`);
      await execa("age", ["-e", ...armor, "-r", VPS, "-r", "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq", "-o", out], { input: "secret\n" });
      const data = readFileSync(out);
      expect(isEncryptedToSshKey(data, parsePublicKeyLine(VPS).blob)).toBe(true);
      expect(isEncryptedToSshKey(data, parsePublicKeyLine(OTHER).blob)).toBe(false);
    }
  });
});
