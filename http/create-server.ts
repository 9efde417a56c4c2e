// magi's HTTP intake: Alertmanager webhooks, a health check and metrics. Every route authenticates before a body is read, and
// every refusal (404, 401, 405, 413, 400) is logged without the secret and changes nothing.
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { ALL_METHODS } from "./methods.ts";
import { alertmanagerPayload } from "./alertmanager-payload.ts";
import { checkCredentials } from "./check-credentials.ts";
import { describeFirstIssue } from "./describe-issue.ts";
import type { ForgejoDeps } from "./forgejo-port.ts";
import { registerForgejoRoutes } from "./forgejo-routes.ts";
import type { AlertRoute, AlertSink, Health } from "./ports.ts";
import type { PingDeps } from "./ping-port.ts";
import { registerPingRoutes } from "./ping-routes.ts";
import { UNMATCHED_ROUTE, type PrometheusMetrics } from "./prometheus-metrics.ts";


// A route's credentials, read once at start.
export type SecuredAlertRoute = AlertRoute & { secret: string };

// What the server needs: secrets, limits, and the ports it hands work to.
export interface HttpServerDeps {
  bodyLimit: number;
  healthSecret: string;
  routes: ReadonlyMap<string, SecuredAlertRoute>;
  alerts: AlertSink;
  health: Health;
  log: Logger;
  // Counts every request; GET /metrics is served only with a secret.
  metrics?: PrometheusMetrics;
  metricsSecret?: string;
  // Dead-man's-switch pings, when checks are configured.
  pings?: PingDeps;
  // Forgejo push webhooks, when forgejo.routes is configured.
  forgejo?: ForgejoDeps;
}

// Builds the server (not yet listening).
export function createHttpServer(deps: HttpServerDeps) {
  const app = Fastify({ bodyLimit: deps.bodyLimit, exposeHeadRoutes: false, logger: false });
  const log = deps.log.child({ component: "http" });
  const pathOf = (request: FastifyRequest) => request.url.split("?")[0]!;
  // The route's pattern, never the raw path: a metric label must not grow with what clients send.
  const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? UNMATCHED_ROUTE;

  const reject = (request: FastifyRequest, reply: FastifyReply, status: number, reason: string) => {
    log.warn({ method: request.method, path: pathOf(request), status, reason }, "http request refused");
    if (status < 500) deps.metrics?.countHttpRefused(routeOf(request), status);
    return reply.code(status).send({ error: reason });
  };

  // 404 before 401: a route that doesn't exist has no secret to check against.
  const guard = (allowed: string, secretOf: (request: FastifyRequest) => string | undefined) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const secret = secretOf(request);
      if (secret === undefined) return reject(request, reply, 404, `no such route: ${pathOf(request)}`);
      if (!checkCredentials(request.headers.authorization, secret)) return reject(request, reply, 401, "missing or wrong credentials");
      if (request.method !== allowed) {
        reply.header("allow", allowed);
        return reject(request, reply, 405, `${request.method} is not allowed here; use ${allowed}`);
      }
    };

  // Bodies stay raw until the route has authenticated, so a bad body can be named precisely (400, not 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.setNotFoundHandler((request, reply) => reject(request, reply, 404, `no such route: ${pathOf(request)}`));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return reject(request, reply, 413, `body is over the limit of ${deps.bodyLimit} bytes`);
    if (status >= 500) log.error({ err: error, path: pathOf(request) }, "http handler failed");
    return reject(request, reply, status, status >= 500 ? "internal error" : error.message);
  });

  app.addHook("onResponse", async (request, reply) => deps.metrics?.countHttpRequest(routeOf(request), reply.statusCode));

  const { metrics, metricsSecret } = deps;
  if (metrics && metricsSecret !== undefined) {
    app.route({
      method: [...ALL_METHODS],
      url: "/metrics",
      onRequest: guard("GET", () => metricsSecret),
      handler: async (_request, reply) => reply.code(200).header("content-type", metrics.contentType).send(await metrics.render()),
    });
  }

  app.route({
    method: [...ALL_METHODS],
    url: "/healthz",
    onRequest: guard("GET", () => deps.healthSecret),
    handler: async (_request, reply) => {
      const health = deps.health.check();
      return health.ok ? reply.code(200).send({ status: "ok" }) : reply.code(503).send({ status: "unavailable", reason: health.reason });
    },
  });

  app.route({
    method: [...ALL_METHODS],
    url: "/alertmanager/:route",
    onRequest: guard("POST", (request) => deps.routes.get((request.params as { route: string }).route)?.secret),
    handler: async (request, reply) => {
      const route = deps.routes.get((request.params as { route: string }).route)!;
      const raw = request.body;
      if (!Buffer.isBuffer(raw) || raw.length === 0) return reject(request, reply, 400, "body is empty; expected an Alertmanager notification (JSON)");
      let json: unknown;
      try {
        json = JSON.parse(raw.toString("utf8"));
      } catch (error) {
        return reject(request, reply, 400, `body is not JSON: ${(error as Error).message}`);
      }
      const parsed = alertmanagerPayload.safeParse(json);
      if (!parsed.success) return reject(request, reply, 400, describeFirstIssue(parsed.error));
      try {
        await deps.alerts.accept({ name: route.name, room: route.room, mention: route.mention }, parsed.data);
      } catch (error) {
        // 5xx makes Alertmanager retry, so nothing is lost while the database cannot commit.
        log.error({ err: error, route: route.name }, "could not store an Alertmanager notification");
        return reply.code(503).send({ error: "could not store the notification; retry later" });
      }
      log.info({ route: route.name, groupKey: parsed.data.groupKey, status: parsed.data.status, alerts: parsed.data.alerts.length }, "alertmanager notification stored");
      return reply.code(200).send({ status: "stored" });
    },
  });
  if (deps.pings) registerPingRoutes(app, deps.pings, deps.log);
  if (deps.forgejo) registerForgejoRoutes(app, deps.forgejo, deps.log);
  return app;
}
