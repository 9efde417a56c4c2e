// The config file's shape. Every section is strict: an unknown key is an error, so typos never pass silently.
import { z } from "zod";
import { DEFAULT_DEPLOY_METHOD, DEPLOY_METHODS, FLAKE_ATTR_PATTERN, PRIVILEGE_FLAGS } from "../domain/deploy.ts";
import { describeLevel, LEVEL_CHOICES, LEVELS, MAX_LEVEL, parseLevel, type Level } from "../domain/levels.ts";
import { WATCH_KINDS } from "../domain/fleet-watch.ts";
import { ALL_HOSTS, MATCHER_PATTERN, NAME_ALPHABET, NAME_PATTERN, TAG_MARK } from "../domain/names.ts";
import { cronExpression, timeZone } from "./cron-schedule.ts";
import { describeValue } from "./describe-value.ts";
import { checkSchedule } from "./check-schedule.ts";
import { PERIOD_MESSAGE, PERIOD_PATTERN } from "../domain/period.ts";
import { describeFlakeUrlProblem, describeGitNameProblem } from "../domain/git-names.ts";
import { SLUG_MESSAGE, SLUG_PATTERN, UUID_V4_MESSAGE, UUID_V4_PATTERN } from "../domain/check-names.ts";

// A string check whose message comes from the domain's own rule, so the schema and the runners agree.
const refuseWith = (describe: (value: string) => string | undefined) => z.superRefine<string>((value, ctx) => {
  const problem = describe(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value.slice(0, 100))} ${problem}` });
});

// Any value reaches the one check, so a list or a mapping gets the same sentence as a wrong name.
const level = z.unknown().transform((value, ctx): Level => {
  const parsed = parseLevel(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: "custom", message: `expected ${LEVEL_CHOICES}, got ${describeValue(value)}` });
    return z.NEVER;
  }
  return parsed;
});

const name = z.string().regex(NAME_PATTERN, `expected ${NAME_ALPHABET}`);
const matrixUserId = z.string().regex(/^@[^:\s]+:\S+$/, "expected a full Matrix user ID like @dan:example.org");

const matrixSection = z.strictObject({
  homeserver_url: z.url(),
  user_id: matrixUserId,
  access_token_file: z.string().optional(),
  access_token_env: z.string().optional(),
  command_prefix: z.string().min(1).max(3).default("!"),
}).refine((m) => Boolean(m.access_token_file) !== Boolean(m.access_token_env), {
  message: "set exactly one of access_token_file or access_token_env",
});

// A room by ID or alias.
const roomRef = z.string().regex(/^(![^\s:]+(:\S+)?|#[^:\s]+:\S+)$/, "expected a room ID (!abc:server, or !abc in room version 12) or alias (#ops:server)");

const roomSection = z.strictObject({
  max_level: level.default(MAX_LEVEL),
  reply_msgtype: z.enum(["m.text", "m.notice"]).default("m.text"),
});

const accessSection = z.strictObject({
  users: z.record(matrixUserId, level).default({}),
  patterns: z.array(z.strictObject({ glob: z.string().min(3), level })).default([]),
});

const sshSection = z.strictObject({
  user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, "expected a plain Unix user name").default("root"),
  port: z.number().int().min(1).max(65535).default(22),
  identity_file: z.string().optional(),
  host_key: z.string().regex(/^ssh-(ed25519|rsa) AAAA[0-9A-Za-z+/=]+( .*)?$/, "expected an OpenSSH public key line like ssh-ed25519 AAAA…").optional(),
  known_hosts_file: z.string().optional(),
  sudo: z.boolean().default(false),
});

const hostSection = z.strictObject({
  address: z.string().regex(/^[A-Za-z0-9.:-]+$/, "expected a host name or IP address"),
  tags: z.array(name).default([]),
  ssh: sshSection.optional(),
  mac: z.string().regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, "expected a MAC address like 00:11:22:33:44:55").optional(),
  deploy: z.strictObject({
    method: z.enum(DEPLOY_METHODS).default(DEFAULT_DEPLOY_METHOD),
    flake_attr: z.string().regex(FLAKE_ATTR_PATTERN, "expected a flake attribute name").optional(),
    flake_url: z.string().check(refuseWith(describeFlakeUrlProblem)).optional(),
    privilege_flag: z.enum(PRIVILEGE_FLAGS).optional(),
  }).optional(),
  wake: z.strictObject({
    broadcast: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "expected an IPv4 broadcast address like 192.168.1.255").default("255.255.255.255"),
    port: z.number().int().min(1).max(65535).default(9),
    relay: name.optional(),
    timeout_seconds: z.number().int().min(5).max(3600).default(300),
  }).optional(),
});

const statusCheck = z.strictObject({
  name: z.string().min(1).max(40),
  command: z.array(z.string().min(1)).min(1),
  tags: z.array(name).optional(),
  ok: z.strictObject({
    exit_code: z.number().int().default(0),
    stdout_includes: z.string().optional(),
    stdout_excludes: z.string().optional(),
  }).default({ exit_code: 0 }),
});

const statusSection = z.strictObject({
  timeout_seconds: z.number().min(1).max(120).default(10),
  concurrency: z.number().int().min(1).max(200).default(16),
  disk_threshold_percent: z.number().min(1).max(100).default(90),
  checks: z.array(statusCheck).default([]),
});

const deploySection = z.strictObject({
  flake_dir: z.string().min(1),
  remote: z.string().check(refuseWith(describeGitNameProblem)).default("origin"),
  branch: z.string().check(refuseWith(describeGitNameProblem)).default("main"),
  timeout_minutes: z.number().min(1).max(24 * 60).default(60),
  // Build and diff before asking for approval: true, false (default), or auto (when nix is on magi's PATH).
  // Off unless asked: a system build takes minutes and gigabytes, and a nix without flakes would block every deploy.
  preview: z.union([z.boolean(), z.literal("auto")]).default(false),
});

const jobsSection = z.strictObject({
  concurrency: z.number().int().min(1).max(64).default(4),
  confirm_minutes: z.number().min(1).max(60).default(5),
  // A job that succeeds sooner than this ends quietly; any other ending mentions its requester.
  notify_after_seconds: z.number().min(0).max(24 * 3600).default(30),
  // On SIGTERM, how long running jobs get to end before magi interrupts them (a job's process that outlives magi is adopted at the next start).
  stop_grace_seconds: z.number().min(0).max(3600).default(30),
});

// HTTP intake (alerts, health): off unless listen is set. Every route authenticates with a secret read from a file.
const httpSection = z.strictObject({
  listen: z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port, like 127.0.0.1:9187"),
  credentials_file: z.string().min(1),
  // GET /metrics's own secret; without it, /metrics takes credentials_file's (the health check's) secret.
  metrics_credentials_file: z.string().min(1).optional(),
  body_limit_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
});

// One Alertmanager webhook route, POST /alertmanager/<name>: where its groups are posted, and who a critical alert mentions.
const alertRoute = z.strictObject({
  room: roomRef,
  credentials_file: z.string().min(1),
  mention: z.array(matrixUserId).default([]),
  // Alertmanager's base URL (http://127.0.0.1:9093): for !silence and the link to the group in its UI.
  alertmanager_url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL like http://127.0.0.1:9093" }).optional(),
});

// One dead-man's-switch check, pinged at /ping/<uuid> or /ping/<ping-key>/<slug> the way healthchecks.io is.
const checkSection = z.strictObject({
  uuid: z.string().regex(UUID_V4_PATTERN, UUID_V4_MESSAGE).optional(),
  slug: z.string().regex(SLUG_PATTERN, SLUG_MESSAGE).optional(),
  schedule: z.string().superRefine((s, ctx) => {
    const problem = checkSchedule(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  tz: timeZone.default("UTC"),
  grace: z.string().regex(PERIOD_PATTERN, PERIOD_MESSAGE).default("1h"),
  room: roomRef,
  hosts: z.array(name).default([]),
}).refine((c) => c.uuid !== undefined || c.slug !== undefined, { message: "set uuid, slug or both: a check nobody can ping is always down" });

// How pings authenticate: the ping key for slug URLs, and optionally a bearer token on every ping.
const pingsSection = z.strictObject({
  key_file: z.string().min(1).optional(),
  credentials_file: z.string().min(1).optional(),
  body_limit_bytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(100_000),
});

// A host name or @tag an approval rule applies to.
const hostMatcher = z.string().regex(MATCHER_PATTERN, "expected a host name or @tag");

// One approval rule; hosts is always a list after parsing. approvals: 0 means the command runs without asking.
const approvalRule = z.strictObject({
  command: z.string().regex(/^(\*|[a-z][a-z0-9-]*)$/, 'expected a command name without the prefix, or "*"'),
  hosts: z.union([hostMatcher, z.array(hostMatcher).min(1)]).transform((h) => (typeof h === "string" ? [h] : h)).optional(),
  approvals: z.number().int().min(0).max(10).default(1),
  min_level: level.default(LEVELS.deployer).refine((l) => l >= LEVELS.communication, `approvers need at least level ${describeLevel(LEVELS.communication)}`),
  self_approval: z.union([z.boolean(), z.literal("only")]).default(false),
  expires_minutes: z.number().min(0.05).max(24 * 60).default(15),
}).refine((r) => r.self_approval !== "only" || r.approvals <= 1, {
  path: ["approvals"],
  message: "with self_approval: only the requester alone confirms, so approvals must be 0 or 1",
});

// Scheduled fleet checks: which hosts, what to watch, and where changes go; see docs/alerts.md.
const scheduleEntry = z.strictObject({
  cron: cronExpression,
  tz: timeZone.default("UTC"),
  room: roomRef,
  hosts: z.array(z.union([z.literal(ALL_HOSTS), hostMatcher])).min(1).default([ALL_HOSTS]),
  watch: z.array(z.enum(WATCH_KINDS)).min(1).default([...WATCH_KINDS]),
  // A change is posted once it has been seen this many rounds in a row, so one blip pages nobody.
  confirm_after: z.number().int().min(1).max(100).default(2),
  digest_cron: cronExpression.optional(),
});

// Rules and schedules may only name hosts and tags that exist: a typo would otherwise silently drop an approval or a host.
// This also runs when other parts failed, on unvalidated input, so it only looks at well-formed pieces.
function checkMatchers(config: { hosts: Record<string, { tags: string[] }>; approvals: { hosts?: string[] | undefined }[]; schedules: Record<string, { hosts?: string[] }>; checks: Record<string, { hosts?: string[] }>; forgejo?: { routes?: Record<string, { proposes?: string[]; paths?: Record<string, unknown> }> } }, ctx: z.core.$RefinementCtx): void {
  if (typeof config.hosts !== "object" || config.hosts === null) return;
  const tags = new Set(Object.values(config.hosts).flatMap((h) => (Array.isArray(h?.tags) ? h.tags : [])));
  const check = (hosts: unknown, path: (string | number)[]) => {
    const matchers = Array.isArray(hosts) ? hosts.filter((m): m is string => typeof m === "string" && m !== ALL_HOSTS) : [];
    for (const matcher of matchers) {
      const isTag = matcher.startsWith(TAG_MARK);
      const known = isTag ? tags.has(matcher.slice(TAG_MARK.length)) : matcher in config.hosts;
      if (!known) ctx.addIssue({ code: "custom", path, message: isTag ? `no host has the tag ${matcher}` : `unknown host ${matcher}` });
    }
  };
  if (Array.isArray(config.approvals)) config.approvals.forEach((rule, index) => check(rule?.hosts, ["approvals", index, "hosts"]));
  if (typeof config.schedules === "object" && config.schedules !== null) {
    for (const [name, entry] of Object.entries(config.schedules)) check(entry?.hosts, ["schedules", name, "hosts"]);
  }
  if (typeof config.checks === "object" && config.checks !== null) {
    for (const [name, entry] of Object.entries(config.checks)) check(entry?.hosts, ["checks", name, "hosts"]);
  }
  for (const [name, route] of Object.entries(config.forgejo?.routes ?? {})) {
    check(route?.proposes, ["forgejo", "routes", name, "proposes"]);
    check(Object.keys(route?.paths ?? {}), ["forgejo", "routes", name, "paths"]);
  }
}

// Slug checks need the ping key, and two checks may not answer to the same uuid or slug.
function checkCheckSlugs(config: { checks: Record<string, { uuid?: string | undefined; slug?: string | undefined }>; pings: { key_file?: string | undefined } }, ctx: z.core.$RefinementCtx): void {
  const seen = new Map<string, string>();
  for (const [checkName, check] of Object.entries(config.checks ?? {})) {
    if (check?.slug !== undefined && config.pings?.key_file === undefined) ctx.addIssue({ code: "custom", path: ["checks", checkName, "slug"], message: "a slug needs pings.key_file (the ping key in /ping/<ping-key>/<slug>)" });
    for (const [field, value] of [["uuid", check?.uuid], ["slug", check?.slug]] as const) {
      if (value === undefined) continue;
      const other = seen.get(`${field}:${value}`);
      if (other !== undefined) ctx.addIssue({ code: "custom", path: ["checks", checkName, field], message: `checks.${other} has the same ${field}` });
      else seen.set(`${field}:${value}`, checkName);
    }
  }
}

// !enroll: the method, magi's admin age identity, sops or age, the agenix JSON files, and which .sops.yaml creation rules (by path_regex) each host or @tag gets; see docs/enrollment.md.
const enrollSection = z.strictObject({
  // sops-nix (.sops.yaml, sops updatekeys) or agenix (a keys JSON secrets.nix reads, files re-encrypted with age).
  method: z.enum(["sops-nix", "agenix"]).default("sops-nix"),
  admin_identity_file: z.string().min(1),
  sops: z.string().min(1).default("sops"),
  age: z.string().min(1).default("age"),
  agenix: z.strictObject({
    keys_file: z.string().min(1).default("secrets/keys.json"),
    files_file: z.string().min(1).default("secrets/files.json"),
  }).default({ keys_file: "secrets/keys.json", files_file: "secrets/files.json" }),
  rules: z.record(hostMatcher, z.array(z.string().min(1)).min(1)).default({}),
  commit_author: z.string().regex(/^.+?\s*<[^<>\s]+>$/, "expected a git author like magi <magi@example.org>").default("magi <magi@localhost>"),
  // Deploy the host at the enrollment's commit after every enrollment (as !enroll --deploy does), then check verify_paths there.
  deploy: z.boolean().default(false),
  // Files the host must have, non-empty, after that deploy (e.g. /run/secrets/db_password): the proof it reads its secrets.
  verify_paths: z.array(z.string().regex(/^\/[^\0]*$/, "expected an absolute path")).default([]),
});

// One Forgejo push webhook route, POST /forgejo/<name>: the watched repository and branch, the room, and what a push proposes; see docs/forgejo.md.
const forgejoRoute = z.strictObject({
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "expected the repository's full name, like team/nixos-config"),
  branch: z.string().min(1),
  room: roomRef,
  secret_file: z.string().min(1),
  // Hosts and @tags a push proposes to deploy.
  proposes: z.array(hostMatcher).default([]),
  // announce: only tell the room; propose: offer a deploy by 🚀; deploy: deploy at once the hosts no approval policy covers, propose the rest.
  mode: z.enum(["announce", "propose", "deploy"]).default("propose"),
  // The Matrix user a deploy-mode push deploys as: their level and the approval policies apply as for anyone.
  deploy_as: matrixUserId.optional(),
  // Per host, the files that concern it: a host with globs is proposed only when the push touched one of them.
  paths: z.record(name, z.array(z.string().min(1)).min(1)).default({}),
}).superRefine((route, ctx) => {
  if (route.mode === "deploy" && route.deploy_as === undefined) ctx.addIssue({ code: "custom", path: ["deploy_as"], message: "mode deploy needs deploy_as: the Matrix user the deploys run as (e.g. \"@ci:example.org\"), whose level and approval policies apply" });
});

// `magi do` from a shell on magi's machine: which Unix user is which Matrix user (unmapped users get level 0), and the
// room told about terminal actions (default: the first configured room); see docs/terminal.md.
const cliSection = z.strictObject({
  users: z.record(z.string().regex(/^[a-z_][a-z0-9_-]*$/, "expected a Unix user name"), matrixUserId).default({}),
  room: roomRef.optional(),
});

// The whole config file.
export const configSchema = z.strictObject({
  matrix: matrixSection,
  storage: z.strictObject({ path: z.string().default("magi.sqlite") }).default({ path: "magi.sqlite" }),
  log: z.strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error"]).default("info") }).default({ level: "info" }),
  access: accessSection.default({ users: {}, patterns: [] }),
  rooms: z.record(roomRef, roomSection),
  admin_dms: z.boolean().default(false),
  intake: z.strictObject({
    max_command_age_seconds: z.number().int().min(1).default(120),
  }).default({ max_command_age_seconds: 120 }),
  hosts: z.record(name, hostSection).default({}),
  status: statusSection.default({ timeout_seconds: 10, concurrency: 16, disk_threshold_percent: 90, checks: [] }),
  deploy: deploySection.optional(),
  enroll: enrollSection.optional(),
  jobs: jobsSection.default({ concurrency: 4, confirm_minutes: 5, notify_after_seconds: 30, stop_grace_seconds: 30 }),
  http: httpSection.optional(),
  alerts: z.strictObject({ routes: z.record(name, alertRoute).default({}) }).default({ routes: {} }),
  // Dead-man's-switch checks (backups and other jobs that must report in), and how their pings authenticate.
  checks: z.record(name, checkSection).default({}),
  pings: pingsSection.default({ body_limit_bytes: 100_000 }),
  // Who must approve what, first matching rule first; see commands/core/policies.ts.
  approvals: z.array(approvalRule).default([]),
  schedules: z.record(name, scheduleEntry).default({}),
  cli: cliSection.default({ users: {} }),
  forgejo: z.strictObject({ routes: z.record(name, forgejoRoute).default({}) }).default({ routes: {} }),
}).superRefine(checkMatchers).superRefine(checkCheckSlugs);

// A validated config, with defaults filled in.
export type Config = z.output<typeof configSchema>;
// One host's validated inventory entry.
export type HostConfig = Config["hosts"][string];
// One validated schedule.
export type ScheduleConfig = Config["schedules"][string];
// One validated approval rule.
export type ApprovalRuleConfig = Config["approvals"][number];
