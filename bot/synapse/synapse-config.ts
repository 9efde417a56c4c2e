// Turns Synapse's generated homeserver.yaml into a fast, loopback-only, test-friendly one.
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";

// Every rc_* limiter a bot, a test or a sandbox user can trip on (names as in synapse/config/ratelimiting.py).
const RATE_LIMIT_KEYS = [
  "rc_message", "rc_registration", "rc_registration_token_validity", "rc_login.address", "rc_login.account",
  "rc_login.failed_attempts", "rc_admin_redaction", "rc_joins.local", "rc_joins.remote", "rc_joins_per_room",
  "rc_3pid_validation", "rc_invites.per_room", "rc_invites.per_user", "rc_invites.per_issuer",
  "rc_third_party_invite", "rc_media_create", "rc_presence.per_user", "rc_delayed_event_mgmt",
  "rc_room_creation", "rc_reports", "rc_user_directory", "rc_profile", "rc_key_requests",
];
const RELAXED = { per_second: 10_000, burst_count: 10_000 };

// What varies between starts of the same data directory.
export interface ConfigPatch {
  dataDir: string;
  port: number;
  serverName: string;
  relaxRateLimits: boolean;
  appserviceFiles: string[];
  freshlyGenerated: boolean;
  // Limiters set to exact values over the relaxed or default ones (the burst benchmark's rc_message).
  rateLimits?: Record<string, { per_second: number; burst_count: number }>;
}

// Python logging config: INFO to a file for post-mortems, only WARNING+ to stderr so the pipe stays quiet.
function logConfig(dataDir: string): string {
  return `version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: ${JSON.stringify(join(dataDir, "homeserver.log"))}
    encoding: utf8
  console:
    class: logging.StreamHandler
    formatter: precise
    level: WARNING
root:
  level: INFO
  handlers: [file, console]
disable_existing_loggers: false
`;
}

// Rewrites the config in place (every start, so a changed port or appservice list takes effect) and returns the shared secret.
export async function patchSynapseConfig(configPath: string, p: ConfigPatch): Promise<string> {
  const doc = parseDocument(await readFile(configPath, "utf8"));
  const existingName = doc.get("server_name");
  if (existingName !== p.serverName) {
    throw new Error(`${configPath} is for server "${String(existingName)}", not "${p.serverName}"; use another dataDir`);
  }
  // The generated secret has shell-hostile punctuation; a hex one is easier to paste around.
  const oldSecret = doc.get("registration_shared_secret");
  const secret = p.freshlyGenerated || typeof oldSecret !== "string" ? randomBytes(24).toString("hex") : oldSecret;

  const logConfigPath = join(p.dataDir, "log.config");
  await writeFile(logConfigPath, logConfig(p.dataDir));
  const settings: Record<string, unknown> = {
    // Client API only: no federation listener, nothing reachable beyond loopback.
    listeners: [{ port: p.port, bind_addresses: ["127.0.0.1"], type: "http", tls: false, x_forwarded: false, resources: [{ names: ["client"], compress: false }] }],
    database: { name: "sqlite3", args: { database: join(p.dataDir, "homeserver.db") } },
    log_config: logConfigPath,
    registration_shared_secret: secret,
    bcrypt_rounds: 4,
    report_stats: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    // An empty whitelist means no outbound federation, so a typo'd remote user id never waits on DNS.
    federation_domain_whitelist: [],
    presence: { enabled: false },
    url_preview_enabled: false,
    enable_metrics: false,
  };
  for (const [key, value] of Object.entries(settings)) doc.set(key, value);
  if (p.appserviceFiles.length > 0) doc.set("app_service_config_files", p.appserviceFiles);
  else doc.delete("app_service_config_files");

  for (const key of RATE_LIMIT_KEYS) {
    const path = key.split(".");
    if (p.relaxRateLimits) doc.setIn(path, RELAXED);
    else doc.deleteIn(path);
  }
  for (const [key, value] of Object.entries(p.rateLimits ?? {})) doc.setIn(key.split("."), value);
  await writeFile(configPath, doc.toString());
  return secret;
}
