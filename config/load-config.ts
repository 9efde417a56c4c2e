// Reads, parses and validates a config file; problems come back as values with their paths.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import { configSchema, type Config } from "./schema.ts";
import { formatIssues } from "./format-issues.ts";

// Either a usable config or the list of problems found.
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

// Validates config text; relative paths in it are resolved against baseDir.
export function parseConfig(text: string, baseDir: string): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => `YAML: ${e.message.split("\n")[0]}`) };
  }
  const parsed = configSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error.issues) };
  return { ok: true, config: resolvePaths(parsed.data, baseDir) };
}

// Reads and validates the config file at path.
export function loadConfig(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, problems: [`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  return parseConfig(text, dirname(resolve(path)));
}

function resolvePaths(config: Config, baseDir: string): Config {
  const abs = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : resolve(baseDir, p));
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
  };
}
