// The alerts benchmark's clients: each one keep-alive connection of its own, as an Alertmanager's webhook client
// keeps, sending its notifications one after another as fast as they are answered, all clients at once.
import { Agent, request } from "node:http";

// What one pass of the load gave: each request's latency (send to full answer), and the answers that were not 200.
export interface LoadResult {
  latenciesMs: number[];
  refused: Record<string, number>;
  wallMs: number;
}

// POSTs body over agent and resolves with the status once the whole answer has arrived.
function postOnce(agent: Agent, url: URL, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST", agent,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.once("end", () => resolve(response.statusCode ?? 0));
      response.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

// Sends perClient[i] over client i's connection, every client concurrently; a failed connection counts as refused.
export async function sendLoad(url: string, token: string, perClient: readonly string[][]): Promise<LoadResult> {
  const target = new URL(url);
  const latenciesMs: number[] = [];
  const refused: Record<string, number> = {};
  const started = performance.now();
  await Promise.all(perClient.map(async (bodies) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const body of bodies) {
        const sent = performance.now();
        const status = await postOnce(agent, target, token, body).catch((error: Error) => error.message);
        latenciesMs.push(performance.now() - sent);
        if (status !== 200) refused[String(status)] = (refused[String(status)] ?? 0) + 1;
      }
    } finally {
      agent.destroy();
    }
  }));
  return { latenciesMs, refused, wallMs: performance.now() - started };
}
