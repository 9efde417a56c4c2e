// A homeserver that answers 429 to magi's sends: every reply still arrives, exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { overrideRatelimit, registerUser } from "../../bot/synapse/register-user.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";

describe("rate limits", () => {
  let fx: MagiFixture;
  let bot: BotProcess;

  beforeAll(async () => {
    const hs = inject("synapse");
    fx = await createMagiFixture("ratelimit");
    const operator = await registerUser(hs, { username: `operator-${Date.now()}`, password: "operator-pw", admin: true });
    // Synapse's per-user override: magi may send one message a second, so a burst of replies hits M_LIMIT_EXCEEDED.
    await overrideRatelimit(hs.baseUrl, operator.accessToken, fx.botUserId, { messagesPerSecond: 1, burstCount: 1 });
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
  });

  it("waits out 429s and neither loses nor duplicates a reply", async () => {
    const commands: string[] = [];
    for (let i = 0; i < 6; i++) commands.push(await fx.admin.say(fx.roomId, i % 2 === 0 ? "!ping" : "!whoami"));
    for (const command of commands) await fx.admin.waitForReply(fx.roomId, command, 30_000);
    await bot.waitForLog((l) => l.msg === "send failed; retrying with the same transaction id" && /M_LIMIT_EXCEEDED|Too Many Requests/.test(String(l.err)));
    const retried = bot.logs.filter((l) => l.msg === "sent after retrying");
    expect(retried.length).toBeGreaterThan(0);
    const timeline = await fx.admin.timeline(fx.roomId);
    for (const [i, command] of commands.entries()) {
      const replies = timeline.filter((e) => e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command);
      expect(replies.map((r) => r.content.body)).toEqual([i % 2 === 0 ? "pong" : `You are ${fx.admin.userId}, level 4 (admin) in this room.`]);
    }
  });
});
