import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MatrixClient } from "matrix-bot-sdk";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createInviteHandler } from "../../../bot/invites.ts";

const ROOM = "!elsewhere:example.org";

// A homeserver stand-in over real HTTP, so the real SDK turns its answers into the errors magi sees.
async function startHomeserver(answers: { status: number; body: Record<string, unknown> }[]) {
  const seen: { method: string; path: string; at: number }[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, path: decodeURIComponent(req.url!.split("?")[0]!), at: Date.now() });
    const answer = answers.shift() ?? { status: 200, body: {} };
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("invites", () => {
  let server: Server | undefined;
  afterEach(() => void server?.close());

  it("declines an invite from a stranger even when the homeserver answers 429 twice, waiting retry_after_ms each time", async () => {
    const limited = { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: 300 } };
    const hs = await startHomeserver([limited, limited, { status: 200, body: {} }]);
    server = hs.server;
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const onInvite = createInviteHandler({ client: new MatrixClient(hs.url, "token"), rooms: { policyFor: () => undefined, roomIds: () => [] }, adminDms: false, resolveLevel: () => 0, log });
    await onInvite(ROOM, { sender: "@mallory:evil.example" });
    expect(hs.seen.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`POST /_matrix/client/v3/rooms/${ROOM}/leave`));
    expect(hs.seen[1]!.at - hs.seen[0]!.at).toBeGreaterThanOrEqual(290);
    expect(hs.seen[2]!.at - hs.seen[1]!.at).toBeGreaterThanOrEqual(290);
    expect(lines.map((l) => l.msg)).toEqual([
      "declining invite: not a configured room, or the inviter is not a configured user",
      "request failed; retrying",
      "request failed; retrying",
      "request succeeded after retrying",
    ]);
    expect(lines[1]).toMatchObject({ roomId: ROOM, request: "leave", attempt: 1, waitMs: 300 });
  });

  it("stops at once on a refusal that retrying can't fix, and says so", async () => {
    const hs = await startHomeserver([{ status: 403, body: { errcode: "M_FORBIDDEN", error: "not invited" } }]);
    server = hs.server;
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const onInvite = createInviteHandler({ client: new MatrixClient(hs.url, "token"), rooms: { policyFor: () => undefined, roomIds: () => [] }, adminDms: false, resolveLevel: () => 0, log });
    await onInvite(ROOM, { sender: "@mallory:evil.example" });
    expect(hs.seen).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ msg: "could not act on invite", err: "M_FORBIDDEN: not invited" });
  });
});
