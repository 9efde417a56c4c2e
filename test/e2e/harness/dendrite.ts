// A throwaway Dendrite on loopback: the second homeserver implementation the e2e subset in
// test/e2e/dendrite.test.ts runs against, in the same shape as the shared Synapse so
// createMagiFixture works unchanged. Binaries from .ci/run (GOBIN=~/.cache/magi/go-bin) or PATH.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import { writeAppserviceRegistration } from "../../../bot/synapse/appservice.ts";
import { findFreePort } from "../../../bot/synapse/start-synapse.ts";
import { findOnPath } from "../../../config/find-on-path.ts";
import { waitUntil } from "../../wait-until.ts";
import type { SharedSynapse } from "./global-setup.ts";

const GO_BIN = join(homedir(), ".cache", "magi", "go-bin");
const PROGRAMS = ["dendrite", "generate-config", "generate-keys"] as const;

// The exact line .ci/run needs for one program, and a developer who wants these tests.
const installLine = (program: string) => `GOBIN=~/.cache/magi/go-bin go install github.com/matrix-org/dendrite/cmd/${program}@v0.13.8`;

// Where one of Dendrite's programs is: the go-bin cache first, then PATH; the cache path when neither has it.
export function findDendriteProgram(name: (typeof PROGRAMS)[number]): string {
  const cached = join(GO_BIN, name);
  return existsSync(cached) ? cached : (findOnPath(name) ?? cached);
}

// The needs describeWithTools checks before the Dendrite tests run.
export const DENDRITE_NEEDS = PROGRAMS.map((p) => ({ file: findDendriteProgram(p), install: installLine(p) }));

// A running Dendrite: what a test file needs to talk to it, and how to stop it.
export interface RunningDendrite extends SharedSynapse {
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

// What a test may change in the server's config.
export interface DendriteOptions {
  // media_api.max_file_size_bytes (Dendrite's default: 10 MiB).
  maxUploadBytes?: number;
}

// Rewrites generate-config's output for a loopback test server; returns the shared secret.
function patchDendriteConfig(path: string, dir: string, registration: string, options: DendriteOptions): string {
  const config = parse(readFileSync(path, "utf8")) as Record<string, any>;
  const sharedSecret = randomBytes(16).toString("hex");
  config.global.private_key = join(dir, "matrix_key.pem");
  config.global.disable_federation = true;
  // An empty list keeps Dendrite from asking matrix.org for server keys.
  config.federation_api.key_perspectives = [];
  config.global.trusted_third_party_id_servers = [];
  config.global.jetstream = { ...config.global.jetstream, in_memory: true };
  config.client_api.registration_shared_secret = sharedSecret;
  // Magi's own send queue meets 429s in rate-limit.test.ts against Synapse; here they would only slow the subset.
  config.client_api.rate_limiting = { ...config.client_api.rate_limiting, enabled: false };
  config.app_service_api.config_files = [registration];
  config.user_api.bcrypt_cost = 4;
  if (options.maxUploadBytes !== undefined) config.media_api.max_file_size_bytes = options.maxUploadBytes;
  config.logging = [{ type: "file", level: "info", params: { path: join(dir, "log") } }];
  writeFileSync(path, stringify(config));
  return sharedSecret;
}

// Starts Dendrite with an appservice registration playing mautrix-slack; resolves once its client API answers.
export async function startDendrite(options: DendriteOptions = {}): Promise<RunningDendrite> {
  const dir = mkdtempSync(join(tmpdir(), "magi-e2e-dendrite-"));
  const serverName = "localhost";
  await execa(findDendriteProgram("generate-keys"), ["-private-key", join(dir, "matrix_key.pem")], { cwd: dir });
  const generated = await execa(findDendriteProgram("generate-config"), ["-dir", dir, "-server", serverName], { cwd: dir });
  const configPath = join(dir, "dendrite.yaml");
  writeFileSync(configPath, generated.stdout);
  const registration = join(dir, "slack-registration.yaml");
  // Exactly mautrix-slack's ghost namespace, as in global-setup.ts.
  const { asToken } = writeAppserviceRegistration(registration, { id: "slack", senderLocalpart: "slackbot", userRegex: "@slack_.*:localhost" });
  const sharedSecret = patchDendriteConfig(configPath, dir, registration, options);
  const port = await findFreePort();
  let output = "";
  const child = spawn(findDendriteProgram("dendrite"), ["-config", configPath, "-http-bind-address", `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = once(child, "exit");
  const baseUrl = `http://127.0.0.1:${port}`;
  // Dendrite's file hook treats path as a directory and writes dendrite.log in it.
  const logFile = join(dir, "log", "dendrite.log");
  const log = () => `${output}\n--- ${logFile} ---\n${existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-4000) : ""}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const answers = async () => {
    if (child.exitCode !== null) throw new Error(`dendrite exited with ${child.exitCode}:\n${log()}`);
    return fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
  };
  try {
    await waitUntil(`Dendrite on ${baseUrl}`, answers, { timeoutMs: 60_000, intervalMs: 100, describe: log });
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, serverName, sharedSecret, slackAsToken: asToken, dir, log, stop };
}
