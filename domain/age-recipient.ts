// Turns an ssh-ed25519 host key into the age recipient sops-nix derives from it (what ssh-to-age prints).
import { ed25519 } from "@noble/curves/ed25519.js";
import { bech32 } from "@scure/base";

// The prefix every age X25519 recipient starts with.
export const AGE_RECIPIENT_PREFIX = "age1";

// The OpenSSH key type enrollment accepts: sops-nix and agenix derive their identities from it alone.
export const ED25519_KEY_TYPE = "ssh-ed25519";

// An age recipient is 32 bytes, so it stays under bech32's usual 90-character limit only by this margin.
const BECH32_LIMIT = 90;

// Reads the 32-byte Edwards key out of an ssh-ed25519 wire blob (string "ssh-ed25519", string key), or says why not.
export function readEd25519Key(blob: Uint8Array): Uint8Array | string {
  const view = Buffer.from(blob);
  if (view.length < 4) return "the key is too short";
  const typeLength = view.readUInt32BE(0);
  const type = view.subarray(4, 4 + typeLength).toString("latin1");
  if (type !== ED25519_KEY_TYPE) return `the key is ${type || "of no known type"}, not ${ED25519_KEY_TYPE}`;
  const at = 4 + typeLength;
  if (view.length !== at + 4 + 32 || view.readUInt32BE(at) !== 32) return "the ssh-ed25519 key does not hold exactly 32 bytes";
  return new Uint8Array(view.subarray(at + 4));
}

// Converts a 32-byte ed25519 public key to its age recipient: Montgomery u, little-endian, bech32 (not bech32m) with HRP "age".
export function toAgeRecipient(edwardsKey: Uint8Array): string {
  const u = ed25519.utils.toMontgomery(edwardsKey);
  return bech32.encode("age", bech32.toWords(u), BECH32_LIMIT);
}
