// Forgejo/Gitea webhook authentication: an HMAC-SHA256 of the exact body bytes, keyed with the route's secret.
import { createHmac, timingSafeEqual } from "node:crypto";

// The headers a signature may arrive in, in the order they are read; GitHub's form carries a "sha256=" prefix.
export const SIGNATURE_HEADERS = ["x-forgejo-signature", "x-gitea-signature", "x-hub-signature-256"] as const;

// The headers naming a delivery, which Forgejo keeps the same when a delivery is sent again.
export const DELIVERY_HEADERS = ["x-forgejo-delivery", "x-gitea-delivery", "x-github-delivery"] as const;

type Headers = Record<string, string | string[] | undefined>;

const readFirstHeader = (headers: Headers, names: readonly string[]): string | undefined => {
  for (const name of names) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text !== "") return text;
  }
  return undefined;
};

// The signature a request presents, as bytes, or undefined when it has none or it is not 64 hex digits.
function readSignature(headers: Headers): Buffer | undefined {
  const text = readFirstHeader(headers, SIGNATURE_HEADERS)?.trim().replace(/^sha256=/i, "");
  return text !== undefined && /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : undefined;
}

// Signs a body the way Forgejo does (hex HMAC-SHA256); tests and the docs' sender use it too.
export function signBody(body: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

// Tells whether the request's signature matches the body; compared in constant time over equal-length digests.
export function verifySignature(headers: Headers, body: Buffer, secret: string): boolean {
  const presented = readSignature(headers);
  if (!presented) return false;
  return timingSafeEqual(presented, createHmac("sha256", secret).update(body).digest());
}

// The delivery id, which makes a delivery sent twice count once.
export function readDeliveryId(headers: Headers): string | undefined {
  const id = readFirstHeader(headers, DELIVERY_HEADERS)?.trim();
  return id && id.length <= 200 ? id : undefined;
}
