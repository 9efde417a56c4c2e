// Starts the HTTP intake when http.listen is configured: alert notifications are stored from the moment the database
// is open (even while the homeserver is still out of reach), and posted once magi has synced.
import type { MatrixClient } from "matrix-bot-sdk";
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import type { GroupState } from "../http/alert-group.ts";
import { readSecret } from "../http/check-credentials.ts";
import type { ForgejoDeps } from "../http/forgejo-port.ts";
import { createHttpServer, type SecuredAlertRoute } from "../http/create-server.ts";
import { parseListen } from "../http/parse-listen.ts";
import type { PrometheusMetrics } from "../http/prometheus-metrics.ts";
import type { PingDeps } from "../http/ping-port.ts";
import { createAlertIntake } from "../storage/alert-intake.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import { createCommitQueue } from "../storage/commit-queue.ts";
import { createAlertPoster } from "./alert-poster.ts";
import { createAlertSink, INTAKE_HOLD } from "./alert-sink.ts";
import type { AlertView } from "./alert-views.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { startAlertPosting } from "./post-alerts.ts";
import { createViewExtras } from "./silences-port.ts";

// Each alert route's Alertmanager URL, if it has one.
export function readAlertmanagerUrls(config: Config): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(config.alerts.routes).map(([name, r]) => [name, r.alertmanager_url]));
}

// The running intake: attach() starts posting once the client has synced.
export interface HttpIntake {
  url: string;
  attach(client: MatrixClient, msgtypeFor: (roomId: string) => ReplyMsgtype): void;
  // Brings the room up to date with the alert store now (after a silence changed a group's message).
  nudge(): void;
  // Serves these alert routes from now on (a config reload); the server reads the routes at each request.
  replaceRoutes(next: ReadonlyMap<string, SecuredAlertRoute>): void;
  stop(): Promise<void>;
}

// Resolves configured rooms (an alias once) and joins them; undefined while a room can't be resolved yet.
export function createRoomResolver(client: MatrixClient, log: Logger) {
  const known = new Map<string, string>();
  return async (room: string): Promise<string | undefined> => {
    const cached = known.get(room);
    if (cached) return cached;
    try {
      const roomId = await client.joinRoom(room);
      known.set(room, roomId);
      return roomId;
    } catch (error) {
      log.warn({ room, err: (error as Error).message }, "cannot join an alert route's room yet; its alerts wait");
      return undefined;
    }
  };
}

// The alert routes with their secrets read; throws, naming the config path, when a secret cannot be read.
export function readAlertRoutes(config: Config): Map<string, SecuredAlertRoute> {
  return new Map(Object.entries(config.alerts.routes).map(([name, r]) => [
    name, { name, room: r.room, mention: r.mention, secret: readSecret(r.credentials_file, `alerts.routes.${name}.credentials_file`) },
  ]));
}

// Listens on http.listen, or returns undefined when it is not set.
export async function startHttpIntake(config: Config, db: Database.Database, log: Logger, metrics: PrometheusMetrics, pings?: PingDeps, forgejo?: ForgejoDeps): Promise<HttpIntake | undefined> {
  const http = config.http;
  const routeNames = Object.keys(config.alerts.routes);
  if (!http) {
    if (routeNames.length > 0) log.warn({ routes: routeNames }, "alerts.routes is set but http.listen is not, so no alerts can arrive");
    return undefined;
  }
  const routes = readAlertRoutes(config);
  const store = createAlertStore<GroupState, AlertView>(db);
  let synced = false;
  let posting: ReturnType<typeof startAlertPosting> | undefined;
  const healthSecret = readSecret(http.credentials_file, "http.credentials_file");
  // Without its own secret, /metrics takes the health check's: never open to anyone who can reach the port.
  const metricsSecret = http.metrics_credentials_file ? readSecret(http.metrics_credentials_file, "http.metrics_credentials_file") : healthSecret;
  const sink = createAlertSink({
    store, intake: createAlertIntake(db), commits: createCommitQueue(db), changed: () => posting?.nudge(), routeOf: (name) => routes.get(name),
    log, metrics, extras: createViewExtras(db, readAlertmanagerUrls(config)), hold: INTAKE_HOLD,
  });
  const server = createHttpServer({
    bodyLimit: http.body_limit_bytes, healthSecret, routes, log, metrics, metricsSecret, ...(pings ? { pings } : {}), ...(forgejo ? { forgejo } : {}),
    alerts: sink,
    health: { check: () => (!db.open ? { ok: false, reason: "database closed" } : synced ? { ok: true } : { ok: false, reason: "not synced with the homeserver yet" }) },
  });
  const url = await server.listen(parseListen(http.listen));
  log.info({ url, routes: routeNames.map((n) => `${url}/alertmanager/${n}`), metrics: `${url}/metrics` }, "HTTP intake listening");
  return {
    url,
    nudge: () => posting?.nudge(),
    replaceRoutes: (next) => {
      routes.clear();
      for (const [name, route] of next) routes.set(name, route);
    },
    attach: (client, msgtypeFor) => {
      synced = true;
      posting = startAlertPosting({ store, poster: createAlertPoster(client, log, msgtypeFor), resolveRoom: createRoomResolver(client, log), log, metrics });
    },
    stop: async () => {
      synced = false;
      await server.close();
      // What the intake accepted reaches its groups now; the posting picks it up at the next start if not before.
      sink.stop();
      try {
        sink.settle();
      } catch (error) {
        log.error({ err: error }, "could not apply accepted Alertmanager notifications before stopping; they are applied at the next start");
      }
      await posting?.stop();
    },
  };
}
