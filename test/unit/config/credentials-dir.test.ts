import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig, parseConfig } from "../../../config/load-config.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

// The token read from systemd's credentials (LoadCredential=access-token:...), as the NixOS module writes it.
const FROM_CREDENTIALS = MINIMAL_YAML.replace("access_token_env: MAGI_TOKEN", 'access_token_file: "${CREDENTIALS_DIRECTORY}/access-token"');

describe("${CREDENTIALS_DIRECTORY} in config paths", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads the file from the directory systemd names", () => {
    vi.stubEnv("CREDENTIALS_DIRECTORY", "/run/credentials/magi.service");
    const result = parseConfig(FROM_CREDENTIALS, "/etc/magi");
    expect(result).toMatchObject({ ok: true, config: { matrix: { access_token_file: "/run/credentials/magi.service/access-token" } } });
  });

  it("starts magi when the credential is there", () => {
    const dir = mkdtempSync(join(tmpdir(), "magi-credentials-"));
    writeFileSync(join(dir, "access-token"), "syt_token\n", { mode: 0o600 });
    vi.stubEnv("CREDENTIALS_DIRECTORY", dir);
    const config = join(dir, "config.yaml");
    writeFileSync(config, FROM_CREDENTIALS);
    expect(loadConfig(config, { checkMachine: true })).toMatchObject({ ok: true, config: { matrix: { access_token_file: join(dir, "access-token") } } });
  });

  it("refuses to start outside systemd, saying why", () => {
    vi.stubEnv("CREDENTIALS_DIRECTORY", "");
    const config = join(mkdtempSync(join(tmpdir(), "magi-credentials-")), "config.yaml");
    writeFileSync(config, FROM_CREDENTIALS);
    expect(loadConfig(config, { checkMachine: true })).toEqual({
      ok: false,
      problems: [`${config}: names files in \${CREDENTIALS_DIRECTORY}, but CREDENTIALS_DIRECTORY is not set (systemd sets it for a service with LoadCredential=; use --no-local to check this config elsewhere)`],
    });
  });

  it("leaves the path as written when checked elsewhere (--no-local)", () => {
    vi.stubEnv("CREDENTIALS_DIRECTORY", "");
    const result = parseConfig(FROM_CREDENTIALS, "/etc/magi");
    expect(result).toMatchObject({ ok: true, config: { matrix: { access_token_file: "${CREDENTIALS_DIRECTORY}/access-token" } } });
  });
});

describe("${CREDENTIALS_DIRECTORY} in any secret's path", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("expands enroll's age identity too", () => {
    vi.stubEnv("CREDENTIALS_DIRECTORY", "/run/credentials/magi.service");
    const text = `${FROM_CREDENTIALS}enroll:\n  admin_identity_file: "\${CREDENTIALS_DIRECTORY}/sops-age-key"\n`;
    expect(parseConfig(text, "/etc/magi")).toMatchObject({ ok: true, config: { enroll: { admin_identity_file: "/run/credentials/magi.service/sops-age-key" } } });
  });
});
