// The ed25519 → age conversion against the public vectors of ssh-to-age and sops-nix (see FACTS.md).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { readEd25519Key, toAgeRecipient } from "../../../domain/age-recipient.ts";
import { parsePublicKeyLine } from "../../../runners/ssh/host-key.ts";

const recipientOf = (b64: string) => {
  const key = readEd25519Key(Buffer.from(b64, "base64"));
  if (typeof key === "string") throw new Error(key);
  return toAgeRecipient(key);
};

describe("age recipient from an ssh-ed25519 key", () => {
  it("matches the ssh-to-age vectors", () => {
    expect(recipientOf("AAAAC3NzaC1lZDI1NTE5AAAAIOHz+U0YtjINc54dZiJNclfmEFifF7RXCFlNlTbuZBji")).toBe("age17044m9wgakla6pzftf4srtl3h5mcsr85jysgt5fg23zpnta8sfdqhzn452");
    expect(recipientOf("AAAAC3NzaC1lZDI1NTE5AAAAIBI1+Q+ntzANebtnicCiAY29uqLGWOaOGLEa8bUqOVmS")).toBe("age1a8pk4akrdamj7nvqy3zywgtny8dxz7t5xzu7u8v9mhrayp9freqsqatyrs");
  });

  it("refuses keys that are not ed25519 or not 32 bytes", () => {
    const rsa = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-rsa"), Buffer.from([0, 0, 0, 1, 1])]);
    expect(readEd25519Key(rsa)).toBe("the key is ssh-rsa, not ssh-ed25519");
    const short = Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAIOHz+U0YtjINc54dZiJNclfmEFifF7RXCFlNlTbuZA==", "base64");
    expect(readEd25519Key(short)).toBe("the ssh-ed25519 key does not hold exactly 32 bytes");
  });

  it("shows the SHA256 fingerprint exactly as ssh-keygen -lf prints it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "magi-fp-")), "key");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path]);
    const printed = (await execa("ssh-keygen", ["-lf", `${path}.pub`])).stdout.split(" ")[1];
    expect(parsePublicKeyLine(readFileSync(`${path}.pub`, "utf8")).fingerprint).toBe(printed);
  });
});
