// Sets up the dead-man's-switch: the check store (rows for configured checks), the ping intake's dependencies, the
// port the commands read, and, once magi has synced, the watcher that posts transitions.
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { PING_KEY_MESSAGE, PING_KEY_PATTERN } from "../domain/check-names.ts";
import { readSecret } from "../http/check-credentials.ts";
import type { PingDeps } from "../http/ping-port.ts";
import { buildCheckSpecs } from "../runners/checks/build-specs.ts";
import { createCheckStore } from "../storage/check-store.ts";
import { createAlertPoster } from "./alert-poster.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { createChecksPort } from "./checks-port.ts";
import { startCheckWatch } from "./watch-checks.ts";

// Reads the ping key, which must be long and random: it is the only credential of a slug ping.
function readPingKey(path: string): string {
  const key = readSecret(path, "pings.key_file");
  if (!PING_KEY_PATTERN.test(key)) throw new Error(`pings.key_file: ${path} ${PING_KEY_MESSAGE}`);
  return key;
}

// Everything the checks need before the client exists; attach() starts the watcher.
export function prepareChecks(config: Config, db: Database.Database, log: Logger) {
  const specs = buildCheckSpecs(config.checks);
  const store = createCheckStore(db);
  store.ensure(specs.map((s) => s.name), Date.now());
  let watch: ReturnType<typeof startCheckWatch> | undefined;
  const nudge = () => watch?.nudge();
  if (specs.length > 0 && !config.http) log.warn({ checks: specs.map((s) => s.name) }, "checks are configured but http.listen is not, so no pings can arrive");
  const pings: PingDeps | undefined = specs.length === 0 ? undefined : {
    byUuid: new Map(specs.flatMap((s) => (s.uuid ? [[s.uuid, s.name] as const] : []))),
    bySlug: new Map(specs.flatMap((s) => (s.slug ? [[s.slug, s.name] as const] : []))),
    pingKey: config.pings.key_file ? readPingKey(config.pings.key_file) : undefined,
    bearer: config.pings.credentials_file ? readSecret(config.pings.credentials_file, "pings.credentials_file") : undefined,
    bodyLimit: config.pings.body_limit_bytes,
    sink: {
      accept: (check, ping) => {
        store.recordPing(check, ping);
        nudge();
      },
    },
    now: () => Date.now(),
  };
  return {
    pings,
    port: createChecksPort(store, specs, nudge),
    attach(client: MatrixClient, msgtypeFor: (roomId: string) => ReplyMsgtype, resolveRoom: (room: string) => Promise<string | undefined>): void {
      if (specs.length === 0) return;
      watch = startCheckWatch({ store, specs, poster: createAlertPoster(client, log, msgtypeFor), resolveRoom, log, now: () => Date.now() });
    },
    stop: async (): Promise<void> => {
      await watch?.stop();
    },
  };
}
