// How people address magi in a real room: by name, @name, display name or a mention pill, and what happens when the message's two texts disagree.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import { TestUser } from "./harness/matrix-user.ts";

const pill = (userId: string, name: string) => `<a href="https://matrix.to/#/${userId}">${name}</a>`;
const formatted = (html: string, mentions: string[] = []) => ({ format: "org.matrix.custom.html", formatted_body: html, "m.mentions": { user_ids: mentions } });

describe("addressing magi", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  let other: TestUser;

  beforeAll(async () => {
    fx = await createMagiFixture("address");
    other = await fx.newUser("someone");
    // The bot's account is called magi-address-…; people call it by its display name.
    await new TestUser(fx.admin.baseUrl, fx.botUserId, fx.botToken).setDisplayName("Magi");
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
  });

  it("answers commands addressed to it by display name, @localpart, full ID or mention pill", async () => {
    const localpart = fx.botUserId.slice(1).split(":")[0]!;
    const sent = [
      await fx.admin.say(fx.roomId, "magi: !ping"),
      await fx.admin.say(fx.roomId, "Magi, !ping"),
      await fx.admin.say(fx.roomId, `@${localpart} !ping`),
      await fx.admin.say(fx.roomId, `${fx.botUserId}: !ping`),
      // Element's mention: the pill shows whatever name the sender's client knew.
      await fx.admin.say(fx.roomId, "NERV bot: !ping", formatted(`${pill(fx.botUserId, "NERV bot")}: !ping`, [fx.botUserId])),
    ];
    for (const command of sent) expect((await fx.admin.waitForReply(fx.roomId, command)).content.body).toBe("pong");
  });

  it("ignores commands addressed to someone else", async () => {
    const ignored = [
      await fx.admin.say(fx.roomId, `@${other.userId.slice(1).split(":")[0]} !ping`),
      await fx.admin.say(fx.roomId, `${other.userId}: !ping`),
      // Someone else's pill, even one that reads "Magi".
      await fx.admin.say(fx.roomId, "Magi: !ping", formatted(`${pill(other.userId, "Magi")}: !ping`, [other.userId])),
    ];
    // A command sent after them is answered; by then magi has read and passed over the others.
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!ping"));
    await new Promise((r) => setTimeout(r, 500));
    for (const command of ignored) expect(await fx.admin.repliesTo(fx.roomId, command)).toEqual([]);
  });

  it("refuses a command whose formatted text differs from its plain text, and audits it", async () => {
    const command = await fx.admin.say(fx.roomId, "!whoami", formatted("<p>!ping</p>"));
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.content.body).toBe("This message's text and its formatted version say different things, so magi did not run it. Send the command again as plain text.");
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT command, decision, outcome FROM audit WHERE event_id = ?").get(command);
    db.close();
    expect(row).toEqual({ command: "whoami", decision: "invalid", outcome: "not run: text and formatted text differ" });
    // Markdown that only formats the same words is no disagreement: the command is read (and here finds an argument too many).
    const same = await fx.admin.say(fx.roomId, "!ping **now**", formatted("<p>!ping <strong>now</strong></p>"));
    expect((await fx.admin.waitForReply(fx.roomId, same)).content.body).toBe("this command takes no arguments. Usage: !ping");
  });
});
