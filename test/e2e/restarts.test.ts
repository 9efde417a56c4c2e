// Once-only processing across edits, restarts, downtime and a first start with history in the room.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("restarts and replays", () => {
  let fx: MagiFixture;
  let bot: BotProcess | undefined;
  let historic: string;

  beforeAll(async () => {
    fx = await createMagiFixture("restarts");
    // Long enough that a start on a loaded machine still finds a young command young; the stale test shortens it.
    fx.config.intake = { max_command_age_seconds: 60 };
    // Sent before magi ever ran: a first start must not run room history.
    historic = await fx.admin.say(fx.roomId, "!ping");
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
  });

  async function restart(): Promise<void> {
    await bot?.stop();
    bot = await fx.start();
  }

  // A fresh command answered proves magi has caught up with everything before it.
  async function caughtUp(): Promise<void> {
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!whoami"));
  }

  it("runs nothing from room history on a first start", async () => {
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, historic)).toEqual([]);
  });

  it("does not run a command again when it is edited", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    const edit = await fx.admin.edit(fx.roomId, command, "!ping");
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
    expect(await fx.admin.repliesTo(fx.roomId, edit)).toEqual([]);
  });

  it("does not re-run an old command after a restart", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    await restart();
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
  });

  it("runs a young command sent while magi was down exactly once", async () => {
    await bot?.stop();
    const command = await fx.admin.say(fx.roomId, "!ping");
    bot = await fx.start();
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.content.body).toBe("pong");
    await restart();
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
  });

  it("declines a command that waited too long while magi was down, once", async () => {
    await bot?.stop();
    // The shortest age config allows; waiting just past it makes the command stale even if magi started instantly.
    fx.config.intake = { max_command_age_seconds: 1 };
    const command = await fx.admin.say(fx.roomId, "!ping");
    await sleep(1_100);
    bot = await fx.start();
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.content.body).toMatch(/^This command arrived while magi was offline \(sent \d+ s ago\) and was not run\. Send it again if you still want it\.$/);
    await restart();
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT decision, outcome FROM audit WHERE event_id = ?").get(command);
    db.close();
    expect(row).toEqual({ decision: "stale", outcome: "not run: too old" });
    fx.config.intake = { max_command_age_seconds: 60 };
  });

  it("survives a kill -9 without re-running what it already answered", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    await bot?.kill();
    bot = await fx.start();
    await caughtUp();
    expect(await fx.admin.repliesTo(fx.roomId, command)).toHaveLength(1);
  });
});
