// Every kind of problem the config schema can raise reads as a plain sentence: path, what was expected, what was got.
import { describe, expect, it } from "vitest";
import { findClosestName } from "../../../config/find-closest-name.ts";
import { parseConfig } from "../../../config/load-config.ts";
import { MATRIX_YAML } from "./minimal-config.ts";

const minimal = `${MATRIX_YAML}rooms:
  "!abc":
    max_level: 4
`;

const problemsOf = (text: string) => {
  const result = parseConfig(text, "/");
  return result.ok ? [] : result.problems;
};

describe("config problems in plain words", () => {
  it("names what an enum accepts and suggests the near one", () => {
    expect(problemsOf(minimal.replace("max_level: 4", "reply_msgtype: m.notic"))).toEqual(['rooms.!abc.reply_msgtype: expected m.text or m.notice, got "m.notic" (did you mean m.notice?)']);
    expect(problemsOf(`${minimal}log:\n  level: verbose\n`)).toEqual(['log.level: expected trace, debug, info, warn or error, got "verbose"']);
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    deploy:\n      privilege_flag: sudo\n`)).toEqual([
      'hosts.a.deploy.privilege_flag: expected --use-remote-sudo, --sudo or --elevate=sudo, got "sudo" (did you mean --sudo?)',
    ]);
  });

  it("says true or false for booleans, list for arrays, mapping for objects", () => {
    expect(problemsOf(`${minimal}admin_dms: "yes"\n`)).toEqual(['admin_dms: expected true or false, got "yes"']);
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    tags: k3s\n`)).toEqual(['hosts.a.tags: expected a list, got "k3s"']);
    expect(problemsOf(`${minimal}hosts:\n  a: 5\n`)).toEqual(["hosts.a: expected a mapping, got 5"]);
    expect(problemsOf(`${minimal}hosts: [a]\n`)).toEqual(["hosts: expected a mapping, got a list"]);
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    ssh:\n`)).toEqual(["hosts.a.ssh: expected a mapping, got null (an empty value)"]);
    expect(problemsOf("")).toEqual(["matrix: missing (expected a mapping)", "rooms: missing (expected a mapping)"]);
  });

  it("lists a union's alternatives, or the problem inside the one that fits", () => {
    const rule = (line: string) => problemsOf(`${minimal}approvals:\n  - command: deploy\n    ${line}\n`);
    expect(rule("self_approval: sometimes")).toEqual(['approvals.0.self_approval: expected true, false or only, got "sometimes"']);
    expect(rule("hosts: 5")).toEqual(["approvals.0.hosts: expected a string or a list, got 5"]);
    expect(rule('hosts: "Bad!"')).toEqual(['approvals.0.hosts: expected a host name or @tag, got "Bad!"']);
    expect(problemsOf(`${minimal}access:\n  users:\n    "@a:b": [1]\n`)).toEqual(["access.users.@a:b: expected a level 0-4 or communication|contributor|deployer|admin, got a list"]);
  });

  it("shows the value a pattern refused", () => {
    expect(problemsOf(minimal.replace("http://127.0.0.1:8008", "nope"))).toEqual(['matrix.homeserver_url: expected a URL like https://matrix.example.org, got "nope"']);
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    mac: nope\n`)).toEqual(['hosts.a.mac: expected a MAC address like 00:11:22:33:44:55, got "nope"']);
  });

  it("states bounds on numbers, text and lists with the value got", () => {
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    ssh:\n      port: 70000\n`)).toEqual(["hosts.a.ssh.port: expected a number at most 65535, got 70000"]);
    expect(problemsOf(`${minimal}jobs:\n  concurrency: 0\n`)).toEqual(["jobs.concurrency: expected a number at least 1, got 0"]);
    expect(problemsOf(`${minimal}jobs:\n  concurrency: 1.5\n`)).toEqual(["jobs.concurrency: expected a whole number, got 1.5"]);
    expect(problemsOf(minimal.replace("access_token_env: MAGI_TOKEN", 'access_token_env: MAGI_TOKEN\n  command_prefix: "abcd"'))).toEqual([
      'matrix.command_prefix: expected at most 3 characters, got "abcd" (4 characters)',
    ]);
    expect(problemsOf(minimal.replace("access_token_env: MAGI_TOKEN", 'access_token_env: MAGI_TOKEN\n  command_prefix: ""'))).toEqual(['matrix.command_prefix: expected a non-empty string, got ""']);
    expect(problemsOf(`${minimal}status:\n  checks:\n    - name: x\n      command: []\n`)).toEqual(["status.checks.0.command: expected at least 1 item, got 0 items"]);
  });

  it("suggests the closest valid key for an unknown one, at any depth", () => {
    expect(problemsOf(minimal.replace("max_level: 4", "reply_msgtyp: m.text"))).toEqual(["rooms.!abc.reply_msgtyp: unknown key (did you mean reply_msgtype?)"]);
    expect(problemsOf(`${minimal}host:\n  a: {}\n`)).toEqual(["host: unknown key (did you mean hosts?)"]);
    expect(problemsOf(`${minimal}status:\n  checks:\n    - name: x\n      command: [a]\n      ok:\n        stdout_include: x\n`)).toEqual([
      "status.checks.0.ok.stdout_include: unknown key (did you mean stdout_includes?)",
    ]);
    expect(problemsOf(`${minimal}hosts:\n  a:\n    address: a.lan\n    ssh:\n      identityfile: k\n`)).toEqual(["hosts.a.ssh.identityfile: unknown key (did you mean identity_file?)"]);
    expect(problemsOf(`${minimal}frobnicate: 1\n`)).toEqual(["frobnicate: unknown key"]);
  });

  it("suggests one name only when one is clearly nearest", () => {
    expect(findClosestName("reply_msgtyp", ["max_level", "reply_msgtype"])).toBe("reply_msgtype");
    expect(findClosestName("Admin_DMs", ["admin_dms", "access"])).toBe("admin_dms");
    expect(findClosestName("nixos", ["nixos-rebuild", "nixos-rebuild-on-host"])).toBeUndefined();
    expect(findClosestName("zzz", ["log", "jobs"])).toBeUndefined();
  });
});
