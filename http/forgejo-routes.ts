// POST /forgejo/<route>: Forgejo (and Gitea) push webhooks. 404 for an unknown route, 401 for a missing or wrong
// signature, 400 for a body that is not a push; a replayed delivery or a push elsewhere is 200 and ignored. Every
// refusal changes nothing, and a push is committed before it is acknowledged.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { describeFirstIssue } from "./describe-issue.ts";
import { decidePush } from "./forgejo-paths.ts";
import { pushPayload, summarizePush } from "./forgejo-payload.ts";
import type { ForgejoDeps } from "./forgejo-port.ts";
import { readDeliveryId, verifySignature } from "./forgejo-signature.ts";
import { ALL_METHODS } from "./methods.ts";

const EVENT_HEADERS = ["x-forgejo-event", "x-gitea-event", "x-github-event"] as const;

// Parses JSON, or says why not.
function parseJson(raw: Buffer): { json: unknown } | { problem: string } {
  try {
    return { json: JSON.parse(raw.toString("utf8")) };
  } catch (error) {
    return { problem: `body is not JSON: ${(error as Error).message}` };
  }
}

// Adds the Forgejo push route to the server.
export function registerForgejoRoutes(app: FastifyInstance, deps: ForgejoDeps, parentLog: Logger): void {
  const log = parentLog.child({ component: "forgejo" });
  const answer = (request: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>) => {
    if (status >= 400) log.warn({ path: request.url.split("?")[0], status, reason: body.error }, "forgejo webhook refused");
    return reply.code(status).send(body);
  };

  app.route({
    method: [...ALL_METHODS],
    url: "/forgejo/:route",
    handler: async (request, reply) => {
      const route = deps.routes.get((request.params as { route: string }).route);
      if (!route) return answer(request, reply, 404, { error: `no such route: ${request.url.split("?")[0]}` });
      if (request.method !== "POST") {
        reply.header("allow", "POST");
        return answer(request, reply, 405, { error: `${request.method} is not allowed here; use POST` });
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!verifySignature(request.headers, raw, route.secret)) return answer(request, reply, 401, { error: "missing or wrong signature" });
      const event = EVENT_HEADERS.map((h) => request.headers[h]).find((v) => typeof v === "string");
      if (event !== undefined && event !== "push") {
        log.info({ route: route.name, event }, "forgejo event other than push ignored");
        return answer(request, reply, 200, { status: "ignored", reason: `event ${event} is not a push` });
      }
      const delivery = readDeliveryId(request.headers);
      if (!delivery) return answer(request, reply, 400, { error: "missing delivery id (X-Forgejo-Delivery)" });
      const parsed = parseJson(raw);
      if ("problem" in parsed) return answer(request, reply, 400, { error: parsed.problem });
      const payload = pushPayload.safeParse(parsed.json);
      if (!payload.success) return answer(request, reply, 400, { error: describeFirstIssue(payload.error) });
      const summary = summarizePush(payload.data);
      if (summary.repository !== route.repository || summary.branch !== route.branch) {
        log.info({ route: route.name, delivery, repository: summary.repository, ref: payload.data.ref }, "push to a branch this route does not watch; ignored");
        return answer(request, reply, 200, { status: "ignored", reason: `not ${route.repository} ${route.branch}` });
      }
      const decided = decidePush(route, summary);
      let stored: boolean;
      try {
        ({ stored } = deps.sink.accept(route, { delivery, summary: { ...summary, branch: summary.branch }, ...decided }));
      } catch (error) {
        log.error({ err: error, route: route.name, delivery }, "could not store a push");
        return answer(request, reply, 503, { error: "could not store the push; retry later" });
      }
      if (!stored) {
        log.info({ route: route.name, delivery }, "delivery seen before; ignored");
        return answer(request, reply, 200, { status: "duplicate" });
      }
      log.info({ route: route.name, delivery, sha: summary.after, kind: decided.kind, hosts: decided.hosts }, "push stored");
      return answer(request, reply, 200, { status: "stored", kind: decided.kind });
    },
  });
}
