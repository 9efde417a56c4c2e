// Secrets for the HTTP intake: read from files with clear errors, and checked from bearer or basic-auth headers.
// Run alone: npx vitest run test/unit/http/check-credentials.test.ts
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCredentials, readSecret } from "../../../http/check-credentials.ts";

describe("HTTP intake secrets", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-secret-"));

  it("reads the first line of the file, and names the config key when the file is missing or empty", () => {
    writeFileSync(join(dir, "ok"), "s3cret  \nignored\n");
    writeFileSync(join(dir, "empty"), "\n");
    expect(readSecret(join(dir, "ok"), "http.credentials_file")).toBe("s3cret");
    expect(() => readSecret(join(dir, "empty"), "alerts.routes.ops.credentials_file")).toThrow(`alerts.routes.ops.credentials_file: ${join(dir, "empty")} is empty (put the secret on its first line)`);
    expect(() => readSecret(join(dir, "gone"), "http.credentials_file")).toThrow(`http.credentials_file: cannot read ${join(dir, "gone")} (ENOENT); it must hold the secret on its first line, readable by the user magi runs as`);
  });

  it("accepts the secret as a bearer token or a basic-auth password, and nothing else", () => {
    const basic = (v: string) => `Basic ${Buffer.from(v).toString("base64")}`;
    expect(checkCredentials("Bearer s3cret", "s3cret")).toBe(true);
    expect(checkCredentials("bearer s3cret", "s3cret")).toBe(true);
    expect(checkCredentials(basic("alertmanager:s3cret"), "s3cret")).toBe(true);
    expect(checkCredentials(basic("user:pa:ss"), "pa:ss")).toBe(true);
    for (const header of [undefined, "", "s3cret", "Bearer s3cre", "Bearer s3cret2", "Token s3cret", basic("s3cret"), basic("s3cret:"), "Bearer s3cret extra"]) {
      expect(checkCredentials(header, "s3cret"), String(header)).toBe(false);
    }
  });
});
