import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../config/load-config.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const minimal = MINIMAL_YAML;

describe("config validation", () => {
  it("accepts config.example.yaml and fills defaults", () => {
    const result = loadConfig("config.example.yaml");
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.config.access.users["@dan:example.org"]).toBe(4);
    expect(result.config.rooms["!aBcDeFgHiJkLmNoP:example.org"]).toEqual({ max_level: 1, reply_msgtype: "m.notice" });
    expect(result.config.hosts.misato?.ssh?.port).toBe(22);
  });

  it("fills defaults in a minimal config", () => {
    const result = parseConfig(minimal, "/etc/magi");
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.config.matrix.command_prefix).toBe("!");
    expect(result.config.intake.max_command_age_seconds).toBe(120);
    expect(result.config.storage.path).toBe("/etc/magi/magi.sqlite");
    expect(result.config.rooms["!room:localhost"]).toEqual({ max_level: 4, reply_msgtype: "m.text" });
  });

  it("refuses a deploy remote, branch or flake URL that the runners would refuse, with the runners' reason", () => {
    const text = `${minimal}\ndeploy:\n  flake_dir: /srv/infra\n  remote: --upload-pack=x\n  branch: a..b\n`;
    const result = parseConfig(text, "/");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringMatching(/^deploy\.remote: "--upload-pack=x" is not a plain git name \(/),
      expect.stringMatching(/^deploy\.branch: "a\.\.b" is not a plain git name \(/),
    ]);
    const url = readFileSync("config.example.yaml", "utf8").replace(/(\n    deploy:\n)/, "$1      flake_url: github:team/infra\n");
    const refused = parseConfig(url, "/");
    expect(refused.ok ? [] : refused.problems).toEqual([expect.stringMatching(/flake_url: "github:team\/infra" must contain \{rev\}/)]);
  });

  it("names the path and the value of a wrongly typed field", () => {
    const text = readFileSync("config.example.yaml", "utf8").replace("      port: 22", '      port: "twenty-two"');
    const result = parseConfig(text, "/");
    expect(result).toEqual({ ok: false, problems: ['hosts.misato.ssh.port: expected a number, got "twenty-two"'] });
  });

  it("rejects typos as unknown keys with their path", () => {
    const result = parseConfig(minimal.replace("rooms:", "romos:\n  x: 1\nrooms:").replace("user_id:", "usr_id: x\n  user_id:"), "/");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain("matrix.usr_id: unknown key (did you mean user_id?)");
    expect(result.problems).toContain("romos: unknown key (did you mean rooms?)");
  });

  it("reports every problem, not just the first", () => {
    const text = minimal + `hosts:\n  Bad_Name:\n    address: 10.0.0.1\n  evil:\n    address: "10.0.0.1; rm -rf /"\n  ok:\n    address: 10.0.0.2\n    mac: nope\n`;
    const result = parseConfig(text, "/");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        "hosts.Bad_Name: expected lower-case letters, digits and dashes",
        'hosts.evil.address: expected a host name or IP address, got "10.0.0.1; rm -rf /"',
        'hosts.ok.mac: expected a MAC address like 00:11:22:33:44:55, got "nope"',
      ]),
    );
  });

  it("rejects bad levels, bad user IDs and a missing token source", () => {
    const text = minimal
      .replace("  access_token_env: MAGI_TOKEN\n", "")
      .concat(`access:\n  users:\n    "dan": admin\n    "@kim:x": boss\n`);
    const result = parseConfig(text, "/");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        "matrix: set exactly one of access_token_file or access_token_env",
        "access.users.dan: expected a full Matrix user ID like @dan:example.org",
        'access.users.@kim:x: expected a level 0-4 or communication|contributor|deployer|admin, got "boss"',
      ]),
    );
  });

  it("reports YAML syntax errors and unreadable files", () => {
    expect(parseConfig("matrix: [unclosed", "/")).toMatchObject({ ok: false });
    const missing = loadConfig("/nonexistent/magi.yaml");
    expect(missing).toEqual({ ok: false, problems: ["/nonexistent/magi.yaml: cannot read (ENOENT)"] });
  });
});
