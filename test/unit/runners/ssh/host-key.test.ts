import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  createHostVerifier,
  describeMismatch,
  findKnownHostsKeys,
  fingerprintOf,
  formatPublicKeyLine,
  listHostKeyAlgorithms,
  parsePublicKeyLine,
  readKnownHostsKey,
} from "../../../../runners/ssh/host-key.ts";

const dir = mkdtempSync(join(tmpdir(), "magi-hostkey-"));

// Generates a key with ssh-keygen and returns its .pub path.
async function generateKey(name: string, type: string): Promise<string> {
  const path = join(dir, name);
  await execa("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", `comment for ${name}`, "-f", path]);
  return `${path}.pub`;
}

describe("fingerprintOf", () => {
  it.each(["ed25519", "ecdsa", "rsa"])("matches ssh-keygen -lf for a %s key", async (type) => {
    const pub = await generateKey(`fp-${type}`, type);
    const { stdout } = await execa("ssh-keygen", ["-lf", pub]);
    const expected = stdout.split(" ")[1];
    expect(expected).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(parsePublicKeyLine(readFileSync(pub, "utf8")).fingerprint).toBe(expected);
    expect(fingerprintOf(parsePublicKeyLine(readFileSync(pub, "utf8")).blob)).toBe(expected);
  });
});

describe("parsePublicKeyLine", () => {
  it("reads type and blob, ignoring the comment", async () => {
    const line = readFileSync(await generateKey("parse", "ed25519"), "utf8");
    const key = parsePublicKeyLine(line);
    expect(key.type).toBe("ssh-ed25519");
    expect(formatPublicKeyLine(key)).toBe(line.split(" ").slice(0, 2).join(" "));
    expect(listHostKeyAlgorithms(key)).toEqual(["ssh-ed25519"]);
  });

  it("rejects garbage and a type label that disagrees with the blob", async () => {
    const [, b64] = readFileSync(await generateKey("label", "ed25519"), "utf8").split(" ");
    expect(() => parsePublicKeyLine("")).toThrow();
    expect(() => parsePublicKeyLine("ssh-ed25519 not*base64")).toThrow();
    expect(() => parsePublicKeyLine(`ssh-rsa ${b64}`)).toThrow();
  });
});

describe("known_hosts", () => {
  it("finds plain, [host]:port and hashed entries, skipping markers and comments", async () => {
    const a = parsePublicKeyLine(readFileSync(await generateKey("kh-a", "ed25519"), "utf8"));
    const b = parsePublicKeyLine(readFileSync(await generateKey("kh-b", "ed25519"), "utf8"));
    const c = parsePublicKeyLine(readFileSync(await generateKey("kh-c", "ed25519"), "utf8"));
    const file = join(dir, "known_hosts");
    writeFileSync(
      file,
      [
        "# comment",
        `@cert-authority misato ${formatPublicKeyLine(c)}`,
        `other,misato ${formatPublicKeyLine(a)}`,
        `[misato]:2222 ${formatPublicKeyLine(b)}`,
        `[hashed.example]:2200 ${formatPublicKeyLine(c)}`,
      ].join("\n"),
    );
    // ssh-keygen -H rewrites every host field as |1|salt|hmac.
    await execa("ssh-keygen", ["-H", "-f", file]);
    expect(readFileSync(file, "utf8")).not.toContain("hashed.example");
    expect(findKnownHostsKeys(readFileSync(file, "utf8"), "misato")[0]?.blob).toEqual(a.blob);
    expect((await readKnownHostsKey(file, "misato", 2222)).blob).toEqual(b.blob);
    expect((await readKnownHostsKey(file, "hashed.example", 2200)).blob).toEqual(c.blob);
    await expect(readKnownHostsKey(file, "hashed.example")).rejects.toThrow(/no key for hashed.example/);
  });
});

describe("createHostVerifier", () => {
  it("accepts only the pinned blob and remembers what was presented", async () => {
    const pinned = parsePublicKeyLine(readFileSync(await generateKey("v-a", "ed25519"), "utf8"));
    const other = parsePublicKeyLine(readFileSync(await generateKey("v-b", "ed25519"), "utf8"));
    const verifier = createHostVerifier(pinned);
    expect(verifier.presented()).toBeUndefined();
    expect(verifier.verify(other.blob)).toBe(false);
    expect(fingerprintOf(verifier.presented()!)).toBe(other.fingerprint);
    expect(verifier.verify(Buffer.from(pinned.blob))).toBe(true);
    expect(describeMismatch("misato", pinned.fingerprint, other.fingerprint)).toBe(
      `host key of misato changed: expected ${pinned.fingerprint}, got ${other.fingerprint}`,
    );
  });
});
