// The intake over real SQLite (processed events, audit); the room check, join times, delivery and runCommand are
// recording ports, so what is asserted is what the intake hands on and what it writes down.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createIntake } from "../../../bot/intake.ts";
import type { RoomEvent } from "../../../bot/read-command-event.ts";
import { createRoomAccess } from "../../../bot/room-access.ts";
import type { RunRequest } from "../../../bot/run-command.ts";
import type { Level } from "../../../domain/levels.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createProcessedEvents } from "../../../storage/processed-events.ts";

const BOT = "@magi:example.org";
const OPS = "!ops:example.org";
const READONLY = "!readonly:example.org";
const DM = "!dm:example.org";
const NOW = Date.UTC(2026, 0, 5, 9, 0);
const LEVELS: Record<string, Level> = { "@ann:example.org": 4, "@ben:example.org": 3 };

function build(options: { adminDms?: boolean } = {}) {
  const db = openDatabase(":memory:");
  const audit = createAuditLog(db);
  const runs: RunRequest[] = [];
  const delivered: { roomId: string; text: string }[] = [];
  const access = createRoomAccess({
    rooms: { policyFor: (roomId) => (roomId === OPS ? { maxLevel: 4, replyMsgtype: "m.notice" } : roomId === READONLY ? { maxLevel: 1, replyMsgtype: "m.text" } : undefined), roomIds: () => [OPS, READONLY] },
    adminDms: options.adminDms ?? false,
    resolveLevel: (userId) => LEVELS[userId] ?? 0,
    isDirectRoom: async (roomId) => roomId === DM,
  });
  const intake = createIntake({
    botUserId: BOT, prefix: "!", maxAgeMs: 120_000, access,
    joinTimes: { joinedAt: async () => 0, noteMembership: () => {} },
    processed: createProcessedEvents(db), audit,
    deliver: async (target, output) => void delivered.push({ roomId: target.roomId, text: output.blocks.map((b) => (b.kind === "text" ? b.text : "")).join(" ") }),
    // As runCommand does: the claim first (with the audit row), then the run.
    runCommand: async ({ claim, ...req }) => (claim && !claim() ? { kind: "already run" } : (runs.push(req), { kind: "ignored" })),
    approvals: { onReaction: async () => {}, onRedaction: async () => {} },
    log: pino({ level: "silent" }), now: () => NOW,
  });
  let seq = 0;
  const message = (roomId: string, sender: string, body: string, extra: Partial<RoomEvent> = {}): [string, RoomEvent] => [
    roomId, { type: "m.room.message", sender, event_id: `$e${++seq}`, origin_server_ts: NOW - 1000, content: { msgtype: "m.text", body }, ...extra },
  ];
  return { intake, runs, delivered, audit, message };
}

describe("intake", () => {
  it("hands a command to runCommand once, as the sender with the level the room allows, replying in the room's msgtype", async () => {
    const t = build();
    const [room, event] = t.message(READONLY, "@ann:example.org", "!status");
    await t.intake.handleRoomEvent(room, event);
    await t.intake.handleRoomEvent(room, event);
    await t.intake.drain();
    expect(t.runs).toEqual([{ caller: { userId: "@ann:example.org", level: 1 }, target: { roomId: READONLY, eventId: event.event_id, msgtype: "m.text" }, text: "!status" }]);
  });

  it("ignores rooms magi does not serve, and a non-admin's direct chat, writing nothing", async () => {
    const t = build({ adminDms: true });
    await t.intake.handleRoomEvent(...t.message("!elsewhere:example.org", "@ann:example.org", "!status"));
    await t.intake.handleRoomEvent(...t.message(DM, "@ben:example.org", "!status"));
    await t.intake.drain();
    expect(t.runs).toEqual([]);
    expect(t.audit.recent(10)).toEqual([]);
  });

  it("serves an admin's direct chat at their full level when admin DMs are on", async () => {
    const t = build({ adminDms: true });
    await t.intake.handleRoomEvent(...t.message(DM, "@ann:example.org", "!status"));
    await t.intake.drain();
    expect(t.runs.map((r) => [r.caller, r.target.roomId])).toEqual([[{ userId: "@ann:example.org", level: 4 }, DM]]);
  });

  it("declines a command older than the age limit, audits it as stale, and does not run it", async () => {
    const t = build();
    await t.intake.handleRoomEvent(...t.message(OPS, "@ben:example.org", "!deploy misato", { origin_server_ts: NOW - 300_000 }));
    await t.intake.drain();
    expect(t.runs).toEqual([]);
    expect(t.delivered).toEqual([{ roomId: OPS, text: "This command arrived while magi was offline (sent 5 min ago) and was not run. Send it again if you still want it." }]);
    expect(t.audit.recent(1)[0]).toMatchObject({ sender: "@ben:example.org", level: 3, decision: "stale", outcome: "not run: too old" });
  });

  it("refuses a command whose formatted text says something else, and audits it as invalid", async () => {
    const t = build();
    const html = { msgtype: "m.text", body: "!status", format: "org.matrix.custom.html", formatted_body: "!deploy misato" };
    await t.intake.handleRoomEvent(...t.message(OPS, "@ben:example.org", "!status", { content: html }));
    await t.intake.drain();
    expect(t.runs).toEqual([]);
    expect(t.delivered[0]!.text).toMatch(/^This message's text and its formatted version say different things/);
    expect(t.audit.recent(1)[0]).toMatchObject({ command: "status", decision: "invalid", outcome: "not run: text and formatted text differ" });
  });
});
