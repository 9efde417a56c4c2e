// Commands typed by real users and bridged Slack ghosts on a real Synapse, answered by a real magi process.
import Database from "better-sqlite3";
import { MatrixClient } from "matrix-bot-sdk";
import pino from "pino";
import { sendEventWithRetry } from "../../bot/send-event.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser } from "./harness/matrix-user.ts";

// The way mautrix-slack posts a Slack message: HTML formatted_body and m.mentions.
const slackMessage = (text: string) => ({ format: "org.matrix.custom.html", formatted_body: text.replace(/</g, "&lt;"), "m.mentions": {} });

describe("commands in rooms", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  let stranger: TestUser;
  let spoof: TestUser;
  let deployerGhost: TestUser;
  let readerGhost: TestUser;
  let encryptedRoom: string;

  beforeAll(async () => {
    fx = await createMagiFixture("rooms");
    stranger = await fx.newUser("stranger");
    // Claims to be the admin by display name, on the wrong server: identity is the full Matrix ID only.
    spoof = await fx.newUser("boss");
    await spoof.setDisplayName("@boss:example.org");
    readerGhost = await fx.ghost("slack_t0123abcd-u0456");
    deployerGhost = await fx.ghost("slack_t0123abcd-u0ps1");
    fx.access.users["@boss:example.org"] = "admin";
    fx.access.users[deployerGhost.userId] = "deployer";
    fx.access.patterns.push({ glob: "@slack_t0123abcd-*:localhost", level: "communication" });
    // A configured room that turns out to be end-to-end encrypted: this build must refuse it loudly.
    const encryption = { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } };
    encryptedRoom = (await fx.admin.call<{ room_id: string }>("POST", "/createRoom", { preset: "private_chat", invite: [fx.botUserId], initial_state: [encryption] })).room_id;
    fx.config.rooms = { [fx.roomId]: {}, [encryptedRoom]: {} };
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
  });

  it("answers !ping in reply to the command, with HTML and plain bodies", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.sender).toBe(fx.botUserId);
    expect(reply.content).toMatchObject({ msgtype: "m.text", body: "pong", format: "org.matrix.custom.html", formatted_body: "<p>pong</p>" });
  });

  it("shows in !help only what the caller's level allows", async () => {
    const adminHelp = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!help"));
    const strangerHelp = await stranger.waitForReply(fx.roomId, await stranger.say(fx.roomId, "!help"));
    expect(adminHelp.content.body).toContain("level 4 (admin)");
    expect(adminHelp.content.body).toContain("!audit [n]");
    expect(adminHelp.content.body).toContain("!hosts");
    expect(strangerHelp.content.body).toContain("level 0 (unknown)");
    expect(strangerHelp.content.body).toContain("!whoami");
    expect(strangerHelp.content.body).not.toContain("!hosts");
    expect(strangerHelp.content.body).not.toContain("!audit");
  });

  it("denies a level-0 user, naming the required level", async () => {
    const reply = await stranger.waitForReply(fx.roomId, await stranger.say(fx.roomId, "!hosts"));
    expect(reply.content.body).toBe("!hosts needs level 1 (communication); you have 0 (unknown).");
  });

  it("gives a bridged Slack ghost the level of the pattern it matches", async () => {
    const who = await readerGhost.waitForReply(fx.roomId, await readerGhost.say(fx.roomId, "!whoami", slackMessage("!whoami")));
    expect(who.content.body).toBe(`You are ${readerGhost.userId}, level 1 (communication) in this room.`);
    const pong = await readerGhost.waitForReply(fx.roomId, await readerGhost.say(fx.roomId, "!ping", slackMessage("!ping")));
    expect(pong.content.body).toBe("pong");
    const denied = await readerGhost.waitForReply(fx.roomId, await readerGhost.say(fx.roomId, "!audit", slackMessage("!audit")));
    expect(denied.content.body).toBe("!audit needs level 4 (admin); you have 1 (communication).");
  });

  it("prefers an exact entry over the ghost pattern", async () => {
    const who = await deployerGhost.waitForReply(fx.roomId, await deployerGhost.say(fx.roomId, "!whoami", slackMessage("!whoami")));
    expect(who.content.body).toBe(`You are ${deployerGhost.userId}, level 3 (deployer) in this room.`);
  });

  it("gives nothing to a same-named user on another server, whatever their display name", async () => {
    const reply = await spoof.waitForReply(fx.roomId, await spoof.say(fx.roomId, "!audit"));
    expect(reply.content.body).toBe("!audit needs level 4 (admin); you have 0 (unknown).");
  });

  it("suggests the closest command and gives usage for wrong arguments", async () => {
    const typo = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!hots"));
    expect(typo.content.body).toBe("unknown command !hots — did you mean !hosts?");
    const usage = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!audit many; rm -rf /"));
    expect(usage.content.body).toBe("expected at most one argument. Usage: !audit [n]");
  });

  it("answers a 60,000-letter command name with a short reply and keeps the audit row short", async () => {
    const name = "a".repeat(60_000);
    const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, `!${name}`));
    expect(reply.content.body).toBe(`unknown command !${"a".repeat(79)}… — try !help`);
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT text, command, decision, outcome FROM audit WHERE text LIKE '!aaaa%' ORDER BY id DESC LIMIT 1").get() as Record<string, string>;
    db.close();
    expect(row.decision).toBe("invalid");
    expect(row.command).toBe(`${"a".repeat(79)}…`);
    expect(row.text).toBe(`!${"a".repeat(298)}…`);
    expect(row.outcome).toBe(`failed: unknown command !${"a".repeat(79)}… — try !help`);
  });

  it("replaces a message the homeserver refuses as too large with a short note in reply to the same event", async () => {
    const command = await fx.admin.say(fx.roomId, "!ping");
    await fx.admin.waitForReply(fx.roomId, command);
    // The bot's own account, so the note arrives exactly as magi would send it.
    const client = new MatrixClient(fx.admin.baseUrl, fx.botToken);
    const huge = { msgtype: "m.text", body: "x".repeat(70_000), "m.relates_to": { "m.in_reply_to": { event_id: command } } };
    const sent = await sendEventWithRetry(client, pino({ level: "silent" }), fx.roomId, "m.room.message", huge);
    const events = await fx.admin.timeline(fx.roomId, 50);
    const note = events.find((e) => e.event_id === sent);
    expect(note?.content).toEqual({
      msgtype: "m.text",
      body: expect.stringMatching(/^magi's message was too large for the homeserver \(7\d{4} bytes\), so it was not sent; the details are in magi's log\.$/),
      "m.relates_to": { "m.in_reply_to": { event_id: command } },
      "m.mentions": {},
    });
  });

  it("audits every command with sender, level, decision and outcome", async () => {
    const command = await fx.admin.say(fx.roomId, "!audit 3");
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    // Slack has no tables: a table goes out preformatted, or as a list when it is wider than a line.
    expect(reply.content.formatted_body).toMatch(/<pre><code>|<ul><li><b>/);
    const db = new Database(fx.dbPath, { readonly: true });
    const rows = db.prepare("SELECT sender, text, level, command, decision, outcome FROM audit ORDER BY id").all() as Record<string, unknown>[];
    db.close();
    expect(rows).toContainEqual({ sender: stranger.userId, text: "!hosts", level: 0, command: "hosts", decision: "denied", outcome: "failed: !hosts needs level 1 (communication); you have 0 (unknown)." });
    expect(rows).toContainEqual({ sender: fx.admin.userId, text: "!ping", level: 4, command: "ping", decision: "allowed", outcome: "ok" });
    expect(rows).toContainEqual(expect.objectContaining({ sender: fx.admin.userId, text: "!hots", decision: "invalid" }));
    expect(rows).toContainEqual(expect.objectContaining({ sender: readerGhost.userId, text: "!whoami", level: 1, decision: "allowed" }));
  });

  it("refuses an end-to-end encrypted room with a clear log line and leaves it", async () => {
    const line = await bot.waitForLog((l) => l.roomId === encryptedRoom && /end-to-end encryption/.test(String(l.msg)));
    expect(line.msg).toBe("room uses end-to-end encryption, which this build of magi does not support; leaving it");
    expect(line.level).toBe(50);
    const members = await fx.admin.call<{ joined: Record<string, unknown> }>("GET", `/rooms/${encodeURIComponent(encryptedRoom)}/joined_members`);
    expect(Object.keys(members.joined)).not.toContain(fx.botUserId);
  });

  it("declines invites from people who are not configured, and never logs its token", async () => {
    const otherRoom = await stranger.createRoom([fx.botUserId]);
    await bot.waitForLog((l) => l.msg?.startsWith("declining invite") === true && l.roomId === otherRoom);
    const members = await stranger.call<{ joined: Record<string, unknown> }>("GET", `/rooms/${encodeURIComponent(otherRoom)}/joined_members`);
    expect(Object.keys(members.joined)).toEqual([stranger.userId]);
    expect(bot.output()).not.toContain(fx.botToken);
  });
});
