// Forgejo/Gitea webhook signatures: an HMAC-SHA256 over the exact bytes. Run alone: npx vitest run test/unit/http/forgejo-signature.test.ts
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readDeliveryId, signBody, verifySignature } from "../../../http/forgejo-signature.ts";
import { makePush, toBody } from "./forgejo-sample.ts";

const SECRET = "webhook-secret-0123456789";
const body = Buffer.from(toBody(makePush()));
const hmac = createHmac("sha256", SECRET).update(body).digest("hex");

describe("forgejo signatures", () => {
  it("signs as Forgejo does: hex HMAC-SHA256 of the body", () => {
    expect(signBody(body, SECRET)).toBe(hmac);
  });

  it("accepts the signature in any of the three headers", () => {
    expect(verifySignature({ "x-forgejo-signature": hmac }, body, SECRET)).toBe(true);
    expect(verifySignature({ "x-gitea-signature": hmac.toUpperCase() }, body, SECRET)).toBe(true);
    expect(verifySignature({ "x-hub-signature-256": `sha256=${hmac}` }, body, SECRET)).toBe(true);
  });

  it("refuses a missing, malformed or wrong signature, another secret, and the same JSON with other bytes", () => {
    expect(verifySignature({}, body, SECRET)).toBe(false);
    expect(verifySignature({ "x-forgejo-signature": "" }, body, SECRET)).toBe(false);
    expect(verifySignature({ "x-forgejo-signature": hmac.slice(0, 63) }, body, SECRET)).toBe(false);
    expect(verifySignature({ "x-hub-signature-256": `sha1=${hmac}` }, body, SECRET)).toBe(false);
    expect(verifySignature({ "x-forgejo-signature": signBody(body, "another-secret") }, body, SECRET)).toBe(false);
    // Re-serialized JSON says the same but is not what was signed.
    const compact = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(verifySignature({ "x-forgejo-signature": hmac }, compact, SECRET)).toBe(false);
  });

  it("reads the delivery id from Forgejo's, Gitea's or GitHub's header", () => {
    expect(readDeliveryId({ "x-forgejo-delivery": "a1b2" })).toBe("a1b2");
    expect(readDeliveryId({ "x-gitea-delivery": "c3" })).toBe("c3");
    expect(readDeliveryId({ "x-github-delivery": "d4" })).toBe("d4");
    expect(readDeliveryId({})).toBeUndefined();
  });
});
