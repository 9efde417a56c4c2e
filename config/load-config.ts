// Reads, parses and validates a config file; problems come back as values with their paths.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { checkFiles } from "./check-files.ts";
import { checkTools } from "./check-tools.ts";
import { configSchema, type Config } from "./schema.ts";
import { formatIssues } from "./format-issues.ts";
import { listKeysAt } from "./list-keys.ts";

// A path starting with this is read from the credentials systemd hands the service (LoadCredential=),
// so secrets never have to sit in the Nix store or in a world-readable config.
export const CREDENTIALS_PREFIX = "${CREDENTIALS_DIRECTORY}";

// Either a usable config or the list of problems found.
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

// Validates config text; relative paths in it are resolved against baseDir.
export function parseConfig(text: string, baseDir: string): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => `YAML: ${e.message.split("\n")[0]}`) };
  }
  const parsed = configSchema.safeParse(expandCredentials(doc.toJS() ?? {}), { reportInput: true });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues, (path) => listKeysAt(configSchema, path)) };
  return { ok: true, config: resolvePaths(parsed.data, baseDir) };
}

// Options for loadConfig: checkMachine also checks what the config needs on this machine (files,
// directories, programs on searchPath, default PATH); leave it off to validate a config elsewhere.
export interface LoadOptions {
  checkMachine?: boolean;
  searchPath?: string;
}

// Reads and validates the config file at path.
export function loadConfig(path: string, opts: LoadOptions = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, problems: [`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  const parsed = parseConfig(text, dirname(resolve(path)));
  if (!parsed.ok || !opts.checkMachine) return parsed;
  if (!process.env.CREDENTIALS_DIRECTORY && JSON.stringify(parsed.config).includes(CREDENTIALS_PREFIX)) {
    return { ok: false, problems: [`${path}: names files in ${CREDENTIALS_PREFIX}, but CREDENTIALS_DIRECTORY is not set (systemd sets it for a service with LoadCredential=; use --no-local to check this config elsewhere)`] };
  }
  const problems = [...checkFiles(parsed.config), ...checkTools(parsed.config, opts.searchPath)];
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

// Every string value starting with the prefix, whatever key holds it (tokens, keys, webhook secrets).
function expandCredentials(value: unknown): unknown {
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (typeof value === "string") return dir && value.startsWith(CREDENTIALS_PREFIX) ? join(dir, value.slice(CREDENTIALS_PREFIX.length)) : value;
  if (Array.isArray(value)) return value.map(expandCredentials);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandCredentials(v)]));
  return value;
}

function resolvePaths(config: Config, baseDir: string): Config {
  // A credential path left unexpanded (outside systemd) is kept as written, so a check shows what it names.
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) || p.startsWith(CREDENTIALS_PREFIX) ? p : resolve(baseDir, p));
  const hosts = Object.fromEntries(
    Object.entries(config.hosts).map(([name, host]) => [
      name,
      host.ssh
        ? { ...host, ssh: { ...host.ssh, identity_file: abs(host.ssh.identity_file), known_hosts_file: abs(host.ssh.known_hosts_file) } }
        : host,
    ]),
  );
  return {
    ...config,
    storage: { path: config.storage.path === ":memory:" ? ":memory:" : abs(config.storage.path)! },
    matrix: { ...config.matrix, access_token_file: abs(config.matrix.access_token_file) },
    hosts,
    ...(config.deploy ? { deploy: { ...config.deploy, flake_dir: abs(config.deploy.flake_dir)! } } : {}),
    ...(config.http ? { http: { ...config.http, credentials_file: abs(config.http.credentials_file)!, metrics_credentials_file: abs(config.http.metrics_credentials_file) } } : {}),
    alerts: { routes: Object.fromEntries(Object.entries(config.alerts.routes).map(([name, r]) => [name, { ...r, credentials_file: abs(r.credentials_file)! }])) },
    pings: { ...config.pings, key_file: abs(config.pings.key_file), credentials_file: abs(config.pings.credentials_file) },
    forgejo: { routes: Object.fromEntries(Object.entries(config.forgejo.routes).map(([name, r]) => [name, { ...r, secret_file: abs(r.secret_file)! }])) },
  };
}
