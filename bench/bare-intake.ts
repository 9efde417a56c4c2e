// The alerts benchmark's floor: a bare Fastify server (the library and version magi's intake uses) that answers every
// Alertmanager webhook with 200 and does nothing else: no credentials, no schema, no SQLite. Run by bench/alerts.ts as
// its own process: node --import tsx bench/bare-intake.ts; it prints its URL and serves until SIGTERM.
import Fastify from "fastify";

// The same body limit as magi's default (http.body_limit_bytes), so both read the same bodies the same way.
const BODY_LIMIT = 1024 * 1024;

const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
app.post("/alertmanager/:route", async (_request, reply) => reply.code(200).send({ status: "stored", changed: true }));
const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
console.log(url);
