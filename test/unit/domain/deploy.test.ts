// The deploy vocabulary and the config schema built from it accept the same words.
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../config/schema.ts";
import { DEFAULT_DEPLOY_ACTION, DEFAULT_DEPLOY_METHOD, DEPLOY_ACTIONS, DEPLOY_METHODS, FLAKE_ATTR_PATTERN, PRIVILEGE_FLAGS } from "../../../domain/deploy.ts";

const base = { matrix: { homeserver_url: "http://127.0.0.1:8008", user_id: "@magi:x", access_token_env: "T" }, rooms: {} };
const withDeploy = (deploy: Record<string, unknown>) => configSchema.safeParse({ ...base, hosts: { misato: { address: "10.0.0.5", deploy } } });

describe("deploy vocabulary", () => {
  it("lists methods, actions and privilege flags once, with their defaults", () => {
    expect(DEPLOY_METHODS).toEqual(["nixos-rebuild", "nixos-rebuild-on-host", "deploy-rs", "colmena"]);
    expect(DEPLOY_ACTIONS).toEqual(["switch", "boot", "test", "dry-activate"]);
    expect(PRIVILEGE_FLAGS).toEqual(["--use-remote-sudo", "--sudo", "--elevate=sudo"]);
    expect([DEFAULT_DEPLOY_METHOD, DEFAULT_DEPLOY_ACTION]).toEqual(["nixos-rebuild", "switch"]);
  });

  it("is what the config accepts for method and privilege_flag, and nothing else", () => {
    for (const method of DEPLOY_METHODS) expect(withDeploy({ method }).success).toBe(true);
    for (const privilege_flag of PRIVILEGE_FLAGS) expect(withDeploy({ privilege_flag }).success).toBe(true);
    expect(withDeploy({ method: "nixops" }).success).toBe(false);
    expect(withDeploy({ privilege_flag: "--doas" }).success).toBe(false);
    expect(withDeploy({}).data?.hosts.misato?.deploy?.method).toBe("nixos-rebuild");
  });

  it("refuses in config the same flake attributes the deploy runner refuses", () => {
    const longest = "a".repeat(63);
    expect(FLAKE_ATTR_PATTERN.test(longest)).toBe(true);
    expect(withDeploy({ flake_attr: longest }).success).toBe(true);
    expect(withDeploy({ flake_attr: `${longest}a` }).success).toBe(false);
    expect(withDeploy({ flake_attr: "-x" }).success).toBe(false);
  });
});
