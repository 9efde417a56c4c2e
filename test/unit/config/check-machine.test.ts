// Machine-local checks: a config naming files, directories or programs this machine lacks is
// refused with each problem's config path and what to do; without the checks it is accepted.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../config/load-config.ts";

const FAKES = fileURLToPath(new URL("../../fakes/deploy", import.meta.url));
// git and ssh live here on the test machines; the deploy tools only as fakes in FAKES.
const SYSTEM_PATH = "/usr/bin:/bin";

let dir: string;

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

// A config in dir whose token file, key and flake checkout all exist, with overrides appended.
function configWith(extra: { matrix?: string; hosts?: string; deploy?: string; storage?: string; tail?: string } = {}): string {
  return write("magi.yaml", `
matrix:
  homeserver_url: http://127.0.0.1:8008
  user_id: "@magi:localhost"
  access_token_file: ${extra.matrix ?? "token"}
rooms:
  "!abc": {}
storage:
  path: ${extra.storage ?? "state/magi.sqlite"}
hosts:
${extra.hosts ?? `  misato:
    address: 10.0.0.11
    ssh:
      identity_file: id_ed25519
    deploy:
      method: nixos-rebuild`}
deploy:
  flake_dir: ${extra.deploy ?? "infra"}
${extra.tail ?? ""}
`);
}

const check = (path: string, searchPath = `${FAKES}:${SYSTEM_PATH}`) => loadConfig(path, { checkMachine: true, searchPath });
const problemsOf = (path: string, searchPath?: string) => {
  const result = check(path, searchPath);
  return result.ok ? [] : result.problems;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "magi-check-"));
  write("token", "syt_secret\n");
  write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  write("id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz+U0YtjINc54dZiJNclfmEFifF7RXCFlNlTbuZBji magi\n");
  mkdirSync(join(dir, "infra", ".git"), { recursive: true });
});

describe("checks on this machine", () => {
  it("accepts a config whose files, directories and programs all exist", () => {
    expect(check(configWith())).toMatchObject({ ok: true });
  });

  it("names each missing file and directory with its config path and what to do", () => {
    const path = configWith({ matrix: "nope/token", hosts: "  misato:\n    address: a.lan\n    ssh:\n      identity_file: missing_key\n      known_hosts_file: known_hosts\n", deploy: "no-infra" });
    expect(problemsOf(path)).toEqual([
      `matrix.access_token_file: ${dir}/nope/token does not exist (create it with the bot's access token, mode 0600)`,
      `hosts.misato.ssh.identity_file: ${dir}/missing_key does not exist (create a key with ssh-keygen -t ed25519 -N "" -f ${dir}/missing_key, and add ${dir}/missing_key.pub to the host's authorized keys)`,
      `hosts.misato.ssh.known_hosts_file: ${dir}/known_hosts does not exist (write the host's key line into it, e.g. from ssh-keyscan after checking its fingerprint, or set host_key instead)`,
      `deploy.flake_dir: ${dir}/no-infra does not exist (clone the team's flake there: git clone <repository> ${dir}/no-infra)`,
    ]);
  });

  it("refuses an empty token, a public key as identity, a flake_dir that is no git checkout", () => {
    write("token", "\n");
    mkdirSync(join(dir, "plain"));
    const path = configWith({ hosts: "  misato:\n    address: a.lan\n    ssh:\n      identity_file: id_ed25519.pub\n", deploy: "plain" });
    expect(problemsOf(path)).toEqual([
      `matrix.access_token_file: ${dir}/token is empty (put the bot's access token in it)`,
      `hosts.misato.ssh.identity_file: ${dir}/id_ed25519.pub is a public key (identity_file is the private key: the same path without .pub)`,
      `deploy.flake_dir: ${dir}/plain is not a git checkout (clone the team's flake there: git clone <repository> ${dir}/plain)`,
    ]);
  });

  it("names a missing or empty HTTP credentials file with how to create one", () => {
    write("http-secret", "s3cret\n");
    write("am-secret", "\n");
    const path = configWith({ tail: `http:
  listen: 127.0.0.1:9187
  credentials_file: http-secret
alerts:
  routes:
    ops:
      room: "!abc"
      credentials_file: am-secret
    nas:
      room: "!abc"
      credentials_file: missing-secret` });
    expect(problemsOf(path)).toEqual([
      `alerts.routes.ops.credentials_file: ${join(dir, "am-secret")} is empty (put a long random value in it: head -c 32 /dev/urandom | base64 > ${join(dir, "am-secret")}; chmod 600 ${join(dir, "am-secret")})`,
      `alerts.routes.nas.credentials_file: ${join(dir, "missing-secret")} does not exist (create it with a long random value: head -c 32 /dev/urandom | base64 > ${join(dir, "missing-secret")}; chmod 600 ${join(dir, "missing-secret")})`,
    ]);
    write("am-secret", "another\n");
    write("missing-secret", "third\n");
    expect(problemsOf(path)).toEqual([]);
  });

  it("needs a place it can create the database in", () => {
    write("file", "");
    expect(problemsOf(configWith({ storage: "file/state/magi.sqlite" }))).toEqual([
      `storage.path: cannot create ${dir}/file/state: ${dir}/file is not a directory (create ${dir}/file/state owned by the user magi runs as)`,
    ]);
    // A directory that does not exist yet is fine: magi creates it.
    expect(check(configWith({ storage: "new/deeper/magi.sqlite" }))).toMatchObject({ ok: true });
  });

  it("names each deploy program missing from PATH with the hosts that need it", () => {
    const hosts = [
      "  misato:\n    address: a.lan\n    deploy:\n      method: nixos-rebuild",
      "  nas:\n    address: nas.lan",
      "  kaji:\n    address: k.lan\n    deploy:\n      method: deploy-rs",
      "  asuka:\n    address: s.lan\n    deploy:\n      method: colmena",
      "  vps:\n    address: vps.example.org\n    deploy:\n      method: nixos-rebuild-on-host\n      flake_url: github:team/infra/{rev}",
    ].join("\n");
    const empty = mkdtempSync(join(tmpdir(), "magi-path-"));
    expect(problemsOf(configWith({ hosts }), empty)).toEqual([
      "deploy.flake_dir: git is not on PATH (install git on magi's machine: magi fetches the flake and checks out each deploy with it)",
      "hosts.misato.deploy.method, hosts.nas.deploy.method (default nixos-rebuild): nixos-rebuild is not on PATH (install nixos-rebuild on magi's machine, or use the nixos-rebuild-on-host method)",
      "hosts.misato.deploy.method, hosts.nas.deploy.method (default nixos-rebuild), hosts.kaji.deploy.method, hosts.asuka.deploy.method: ssh is not on PATH (install the OpenSSH client on magi's machine: the deploy tools reach the hosts with it)",
      "hosts.kaji.deploy.method: deploy is not on PATH (install deploy-rs on magi's machine; it provides the deploy program)",
      "hosts.asuka.deploy.method: colmena is not on PATH (install colmena on magi's machine)",
    ]);
    // A file that is there but not executable does not count.
    writeFileSync(join(empty, "git"), "#!/bin/sh\n");
    chmodSync(join(empty, "git"), 0o644);
    expect(problemsOf(configWith({ hosts }), empty)[0]).toMatch(/^deploy\.flake_dir: git is not on PATH/);
    expect(check(configWith({ hosts }))).toMatchObject({ ok: true });
  });

  it("needs no deploy programs when deploys are not configured, nor for on-host deploys", () => {
    const noDeploy = write("no-deploy.yaml", `matrix:\n  homeserver_url: http://127.0.0.1:8008\n  user_id: "@magi:localhost"\n  access_token_file: token\nrooms:\n  "!abc": {}\nhosts:\n  nas:\n    address: nas.lan\n`);
    const empty = mkdtempSync(join(tmpdir(), "magi-path-"));
    expect(check(noDeploy, empty)).toMatchObject({ ok: true });
    const onHost = configWith({ hosts: "  vps:\n    address: vps.example.org\n    deploy:\n      method: nixos-rebuild-on-host\n      flake_url: github:team/infra/{rev}" });
    expect(check(onHost, SYSTEM_PATH)).toMatchObject({ ok: true });
  });

  it("skips every machine check when asked, for a config meant for another machine", () => {
    const path = configWith({ matrix: "nope/token", deploy: "no-infra" });
    expect(loadConfig(path, { searchPath: "" })).toMatchObject({ ok: true });
    expect(loadConfig("config.example.yaml")).toMatchObject({ ok: true });
    expect(loadConfig("config.example.yaml", { checkMachine: true })).toMatchObject({ ok: false });
  });
});
