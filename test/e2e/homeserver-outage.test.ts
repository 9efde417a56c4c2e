// The homeserver goes away and comes back: magi keeps running, retries, and catches up.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSynapse, type RunningSynapse } from "../../bot/synapse/start-synapse.ts";
import { startBotProcess, type BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";

describe("homeserver outage", () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "magi-outage-")), "synapse");
  let hs: RunningSynapse;
  let fx: MagiFixture;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    hs = await startSynapse({ dataDir });
    fx = await createMagiFixture("outage", { baseUrl: hs.baseUrl, serverName: hs.serverName, sharedSecret: hs.sharedSecret, slackAsToken: "" });
  });

  afterAll(async () => {
    await bot?.stop();
    await hs?.stop();
  });

  it("starts while the homeserver is down and serves once it is up", async () => {
    await hs.stop();
    const starting = fx.start();
    const started = starting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2500));
    hs = await startSynapse({ dataDir, port: hs.port });
    bot = await starting;
    await started;
    expect(bot.logs.some((l) => l.msg === "homeserver unreachable; retrying")).toBe(true);
    const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!ping"));
    expect(reply.content.body).toBe("pong");
  });

  it("keeps running through an outage and answers what was sent after it", async () => {
    const seen = bot!.logs.length;
    await hs.stop();
    // magi has met the outage once its sync fails; it then lives through Synapse's whole restart below.
    await bot!.waitForLog((l) => bot!.logs.indexOf(l) >= seen && /^Error handling sync/.test(l.msg ?? ""));
    expect(bot!.child.exitCode).toBeNull();
    hs = await startSynapse({ dataDir, port: hs.port });
    expect(bot!.child.exitCode).toBeNull();
    const command = await fx.admin.say(fx.roomId, "!ping");
    const reply = await fx.admin.waitForReply(fx.roomId, command, 40_000);
    expect(reply.content.body).toBe("pong");
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
  });
});
