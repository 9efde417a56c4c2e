// Machine-local checks on the files and directories a config names: each problem names its config
// path and says what to do, so a config that cannot run is refused before magi starts.
import { constants, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { findExistingAncestor, inspectPath } from "./inspect-path.ts";
import type { Config } from "./schema.ts";

const SERVICE_USER = "the user magi runs as";

function checkTokenFile(path: string): string | undefined {
  const problem = inspectPath(path, "file");
  const at = `matrix.access_token_file: ${path}`;
  if (problem === "does not exist") return `${at} does not exist (create it with the bot's access token, mode 0600)`;
  if (problem) return `${at} ${problem} (it must be a file holding the bot's access token, readable by ${SERVICE_USER}, mode 0600)`;
  if (readFileSync(path, "utf8").trim() === "") return `${at} is empty (put the bot's access token in it)`;
  return undefined;
}

// A shared secret an HTTP client must present (a bearer token or basic-auth password), one value in a file.
function checkSecretFile(at: string, path: string): string | undefined {
  const problem = inspectPath(path, "file");
  const create = `head -c 32 /dev/urandom | base64 > ${path}; chmod 600 ${path}`;
  if (problem === "does not exist") return `${at}: ${path} does not exist (create it with a long random value: ${create})`;
  if (problem) return `${at}: ${path} ${problem} (it must be a file holding the secret, readable by ${SERVICE_USER}, mode 0600)`;
  if (readFileSync(path, "utf8").trim() === "") return `${at}: ${path} is empty (put a long random value in it: ${create})`;
  return undefined;
}

function checkIdentityFile(host: string, path: string): string | undefined {
  const problem = inspectPath(path, "file");
  const at = `hosts.${host}.ssh.identity_file: ${path}`;
  if (problem === "does not exist") return `${at} does not exist (create a key with ssh-keygen -t ed25519 -N "" -f ${path}, and add ${path}.pub to the host's authorized keys)`;
  if (problem) return `${at} ${problem} (it must be the private key magi logs in with, readable by ${SERVICE_USER})`;
  if (/^(ssh-|ecdsa-)/.test(readFileSync(path, "utf8"))) return `${at} is a public key (identity_file is the private key: the same path without .pub)`;
  return undefined;
}

function checkKnownHostsFile(host: string, path: string): string | undefined {
  const problem = inspectPath(path, "file");
  if (!problem) return undefined;
  return `hosts.${host}.ssh.known_hosts_file: ${path} ${problem} (write the host's key line into it, e.g. from ssh-keyscan after checking its fingerprint, or set host_key instead)`;
}

function checkFlakeDir(path: string): string | undefined {
  const problem = inspectPath(path, "directory", constants.R_OK | constants.W_OK | constants.X_OK);
  const at = `deploy.flake_dir: ${path}`;
  const clone = `clone the team's flake there: git clone <repository> ${path}`;
  if (problem === "does not exist") return `${at} does not exist (${clone})`;
  if (problem) return `${at} ${problem} (magi fetches and checks out deploys there: it must be a git clone owned by ${SERVICE_USER})`;
  if (inspectPath(join(path, ".git"), "directory") && inspectPath(join(path, ".git"), "file")) return `${at} is not a git checkout (${clone})`;
  return undefined;
}

// magi creates the database and its directory at start; what must exist is a writable place for them.
function checkStorage(path: string): string | undefined {
  if (path === ":memory:") return undefined;
  const dir = dirname(path);
  const existing = findExistingAncestor(path);
  const fix = `create ${dir} owned by ${SERVICE_USER}`;
  if (existing === path) {
    const problem = inspectPath(path, "file", constants.R_OK | constants.W_OK);
    if (problem) return `storage.path: ${path} ${problem} (it is magi's database: make it and ${dir} writable by ${SERVICE_USER})`;
    return inspectPath(dir, "directory", constants.W_OK | constants.X_OK) ? `storage.path: ${dir} is not writable by this user (SQLite writes its journal beside the database: ${fix})` : undefined;
  }
  const problem = inspectPath(existing, "directory", constants.W_OK | constants.X_OK);
  if (!problem) return undefined;
  return existing === dir ? `storage.path: ${dir} ${problem} (${fix})` : `storage.path: cannot create ${dir}: ${existing} ${problem} (${fix})`;
}

// Every problem with the files and directories config names, one line each.
export function checkFiles(config: Config): string[] {
  const problems: (string | undefined)[] = [];
  if (config.matrix.access_token_file) problems.push(checkTokenFile(config.matrix.access_token_file));
  for (const [name, host] of Object.entries(config.hosts)) {
    if (host.ssh?.identity_file) problems.push(checkIdentityFile(name, host.ssh.identity_file));
    if (host.ssh?.known_hosts_file) problems.push(checkKnownHostsFile(name, host.ssh.known_hosts_file));
  }
  if (config.deploy) problems.push(checkFlakeDir(config.deploy.flake_dir));
  if (config.http) problems.push(checkSecretFile("http.credentials_file", config.http.credentials_file));
  for (const [name, route] of Object.entries(config.alerts.routes)) problems.push(checkSecretFile(`alerts.routes.${name}.credentials_file`, route.credentials_file));
  problems.push(checkStorage(config.storage.path));
  return problems.filter((p): p is string => p !== undefined);
}
