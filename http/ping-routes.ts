// The healthchecks.io-compatible ping routes: HEAD, GET or POST /ping/..., answered "OK" only once the ping is
// committed. 400 for a malformed URL, 401 for a missing bearer token (when one is required), 404 for a check that
// does not exist or a wrong ping key, 413 for a body over the limit; every refusal changes nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { checkCredentials, matchesSecret } from "./check-credentials.ts";
import { parsePingUrl, PING_PREFIX, type PingTarget } from "./ping-path.ts";
import type { PingDeps } from "./ping-port.ts";

const PING_METHODS = ["GET", "HEAD", "POST"];
const OTHER_METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS"];

// The check a well-formed target names, or undefined (unknown uuid or slug, or a wrong ping key).
function findCheck(deps: PingDeps, target: PingTarget): string | undefined {
  if ("uuid" in target) return deps.byUuid.get(target.uuid);
  if (deps.pingKey === undefined || !matchesSecret(target.key, deps.pingKey)) return undefined;
  return deps.bySlug.get(target.slug);
}

// Adds the ping routes to the server.
export function registerPingRoutes(app: FastifyInstance, deps: PingDeps, parentLog: Logger): void {
  const log = parentLog.child({ component: "pings" });
  // Paths are not logged: they hold the uuid or the ping key, which are the credentials.
  const answer = (request: FastifyRequest, reply: FastifyReply, status: number, text: string) => {
    if (status !== 200) log.warn({ method: request.method, status, reason: text }, "ping refused");
    return reply.code(status).header("ping-body-limit", String(deps.bodyLimit)).type("text/plain; charset=utf-8").send(text);
  };

  app.route({
    method: [...PING_METHODS, ...OTHER_METHODS],
    url: `${PING_PREFIX}*`,
    bodyLimit: deps.bodyLimit,
    errorHandler: (error: Error & { statusCode?: number }, request, reply) => {
      if (error.statusCode === 413) return answer(request, reply, 413, `body is over the limit of ${deps.bodyLimit} bytes`);
      if ((error.statusCode ?? 500) < 500) return answer(request, reply, error.statusCode!, error.message);
      log.error({ err: error }, "ping handler failed");
      return answer(request, reply, 500, "internal error");
    },
    handler: async (request, reply) => {
      if (!PING_METHODS.includes(request.method)) {
        reply.header("allow", PING_METHODS.join(", "));
        return answer(request, reply, 405, `${request.method} is not allowed here; use GET, HEAD or POST`);
      }
      const address = parsePingUrl(request.url);
      if (typeof address === "string") return answer(request, reply, 400, address);
      if (deps.bearer !== undefined && !checkCredentials(request.headers.authorization, deps.bearer)) return answer(request, reply, 401, "missing or wrong credentials");
      const check = findCheck(deps, address.target);
      if (check === undefined) return answer(request, reply, 404, "not found");
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      try {
        deps.sink.accept(check, { ...address, at: deps.now(), method: request.method, remote: request.ip, body });
      } catch (error) {
        // 5xx: curl --retry and borgmatic's next run try again; nothing was half-stored.
        log.error({ err: error, check }, "could not store a ping");
        return answer(request, reply, 503, "could not store the ping; retry later");
      }
      log.info({ check, kind: address.kind, exit: address.exit, bytes: body.length }, "ping stored");
      return answer(request, reply, 200, "OK");
    },
  });
}
