// Drives the real approval flow over a real in-memory SQLite store and audit log; reply and edit are recording ports (the Matrix boundary).
import type Database from "better-sqlite3";
import { pino } from "pino";
import { createApprovals, type Approvals } from "../../../bot/approvals.ts";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import type { Level } from "../../../domain/levels.ts";
import type { Block } from "../../../commands/core/types.ts";
import { createApprovalStore, type StoredApproval } from "../../../storage/approval-store.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { openDatabase } from "../../../storage/open-database.ts";

// magi's own user, whose reactions never count.
export const BOT = "@magi:example.org";
// The room every request is made in.
export const ROOM = "!ops:example.org";

// One call of execute: which request, who approved it, and the clock when it started.
export interface Run {
  approval: StoredApproval;
  approvers: string[];
  at: number;
}

// A flow under test, with everything it posted and ran; moderators may redact other people's events in the room.
export function createApprovalHarness(levels: Record<string, Level>, db: Database.Database = openDatabase(":memory:"), moderators: string[] = []) {
  let clock = Date.UTC(2026, 10, 23, 14, 0);
  let seq = 0;
  const posted: { roomId: string; replyTo: string; blocks: Block[] }[] = [];
  const edits: { eventId: string; text: string }[] = [];
  const runs: Run[] = [];
  const store = createApprovalStore(db);
  const audit = createAuditLog(db);
  const build = (): Approvals =>
    createApprovals({
      store: createApprovalStore(db),
      audit: createAuditLog(db),
      reply: { send: async (target, blocks) => (posted.push({ roomId: target.roomId, replyTo: target.eventId, blocks }), `$prompt${++seq}`) },
      edits: { edit: async (_roomId, eventId, blocks) => void edits.push({ eventId, text: blocks.map((b) => (b.kind === "text" ? b.text : "")).join("\n") }) },
      log: pino({ level: "silent" }),
      botUserId: BOT,
      levelIn: (_roomId, userId) => levels[userId] ?? 0,
      mayRedactOthers: async (_roomId, userId) => moderators.includes(userId),
      execute: async (approval, approvers) => (runs.push({ approval, approvers, at: clock }), "Done."),
      now: () => clock,
    });
  let flow = build();

  return {
    db, store, audit, posted, edits, runs,
    get flow() {
      return flow;
    },
    now: () => clock,
    advance: (ms: number) => void (clock += ms),
    // A new flow over the same database, as after a restart.
    restart: () => void (flow = build()),
    // Asks for approval as the requester; resolves with the request's id, prompt and command event ids.
    request: async (requester: string, policy: ApprovalPolicy, work = "deploy misato", commandEventId = `$command${++seq}`) => {
      const auditId = audit.record({ at: clock, roomId: ROOM, eventId: commandEventId, sender: requester, text: `!${work}`, level: levels[requester] ?? 0, command: work.split(" ")[0]!, decision: "allowed" });
      await flow.request({ roomId: ROOM, eventId: commandEventId, msgtype: "m.text" }, { auditId, requester, text: `!${work}`, work, policy });
      const stored = store.findByCommand(commandEventId)!;
      return { id: stored.id, prompt: stored.promptEventId!, auditId, commandEventId };
    },
    // Reacts to a prompt; the reaction's event id is returned so it can be redacted or delivered again.
    react: async (sender: string, prompt: string, key: string, reactionId = `$reaction${++seq}`, shortcode?: string) => {
      const content = { "m.relates_to": { rel_type: "m.annotation", event_id: prompt, key }, ...(shortcode ? { "com.beeper.reaction.shortcode": shortcode } : {}) };
      await flow.onReaction(ROOM, { sender, event_id: reactionId, content });
      return reactionId;
    },
    // Redacts an event in the room (a reaction, or a command), as redactor.
    redact: (eventId: string, redactor = "@someone:example.org") => flow.onRedaction(ROOM, eventId, redactor),
    sweep: () => flow.sweep(),
    state: (id: number) => store.get(id)!.state,
  };
}

// The harness's type.
export type ApprovalHarness = ReturnType<typeof createApprovalHarness>;
