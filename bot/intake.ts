// Turns synced room events into commands: filters, claims each event once, audits, dispatches and replies.
import type { Logger } from "pino";
import { capLevel } from "../commands/access.ts";
import { prepareCommand } from "../commands/dispatch.ts";
import type { Level } from "../commands/levels.ts";
import { parseCommand } from "../commands/parse.ts";
import type { Block, Caller, CommandContext, Output } from "../commands/types.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { ProcessedEvents } from "../storage/processed-events.ts";
import { readCommandEvent, type RoomEvent } from "./read-command-event.ts";
import type { RoomDirectory, RoomPolicy } from "./room-directory.ts";
import type { ReplyPort } from "./reply-port.ts";
import type { JoinTimes } from "./join-times.ts";

// What the intake needs from the rest of the bot.
export interface IntakeDeps {
  botUserId: string;
  prefix: string;
  maxAgeMs: number;
  adminDms: boolean;
  rooms: RoomDirectory;
  resolveLevel(userId: string): Level;
  isDirectRoom(roomId: string): Promise<boolean>;
  joinTimes: JoinTimes;
  processed: ProcessedEvents;
  audit: AuditLog;
  reply: ReplyPort;
  commandContext(caller: Caller): CommandContext;
  log: Logger;
  now(): number;
}

function summarize(output: Output, errorId?: string): string {
  if (errorId) return `error ${errorId}`;
  if (output.ok) return "ok";
  const first = output.blocks.find((b): b is Extract<Block, { kind: "text" }> => b.kind === "text");
  return `failed: ${first?.text.slice(0, 200) ?? ""}`;
}

function describeAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 1 ? `${minutes} min ago` : `${Math.round(ms / 1000)} s ago`;
}

// Creates the handler the sync loop awaits for every room event, and a drain for shutdown.
export function createIntake(deps: IntakeDeps) {
  const inflight = new Set<Promise<void>>();
  const warnedEncrypted = new Set<string>();

  function background(work: Promise<void>): void {
    const tracked = work.catch((error) => deps.log.error({ err: error }, "command handling failed")).finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  }

  async function policyFor(roomId: string, sender: string): Promise<RoomPolicy | undefined> {
    const configured = deps.rooms.policyFor(roomId);
    if (configured) return configured;
    if (deps.adminDms && deps.resolveLevel(sender) === 4 && (await deps.isDirectRoom(roomId))) {
      return { maxLevel: 4, replyMsgtype: "m.text" };
    }
    return undefined;
  }

  // Handles one synced event; returns once the command is claimed and audited, while it runs in the background.
  async function handleRoomEvent(roomId: string, event: RoomEvent): Promise<void> {
    if (event.type === "m.room.encrypted") {
      if (!warnedEncrypted.has(roomId)) {
        warnedEncrypted.add(roomId);
        deps.log.error({ roomId }, "encrypted message received: this build of magi does not support end-to-end encrypted rooms; commands there are ignored");
      }
      return;
    }
    deps.joinTimes.noteMembership(roomId, event);
    const candidate = readCommandEvent(event, deps.botUserId, deps.prefix, deps.now());
    if (candidate.kind === "ignore") return;
    if (parseCommand(candidate.body, deps.prefix).kind === "none") return;
    const policy = await policyFor(roomId, event.sender);
    if (!policy) {
      deps.log.debug({ roomId, sender: event.sender }, "command in a room magi does not serve; ignored");
      return;
    }
    if (event.origin_server_ts < (await deps.joinTimes.joinedAt(roomId))) {
      deps.log.debug({ roomId, eventId: event.event_id }, "command from before magi joined the room; ignored");
      return;
    }
    if (!deps.processed.claim(event.event_id, roomId, deps.now())) {
      deps.log.debug({ eventId: event.event_id }, "event already processed; not running it again");
      return;
    }
    const caller: Caller = { userId: event.sender, level: capLevel(deps.resolveLevel(event.sender), policy.maxLevel) };
    const base = { at: deps.now(), roomId, eventId: event.event_id, sender: event.sender, text: candidate.body.slice(0, 2000), level: caller.level };
    const target = { roomId, eventId: event.event_id, threadRoot: candidate.threadRoot, msgtype: policy.replyMsgtype };
    if (candidate.ageMs > deps.maxAgeMs) {
      const auditId = deps.audit.record({ ...base, command: null, decision: "stale" });
      const message = `This command arrived while magi was offline (sent ${describeAge(candidate.ageMs)}) and was not run. Send it again if you still want it.`;
      background(deps.reply.send(target, [{ kind: "text", text: message }]).then(() => deps.audit.setOutcome(auditId, "not run: too old"), (e) => { deps.audit.setOutcome(auditId, "not run: too old"); throw e; }));
      return;
    }
    const prepared = prepareCommand(candidate.body, deps.commandContext(caller), (errorId, error) =>
      deps.log.error({ errorId, err: error, eventId: event.event_id }, "command threw"),
    );
    if (prepared.decision === "ignored") return;
    const auditId = deps.audit.record({ ...base, command: prepared.command, decision: prepared.decision });
    deps.log.info({ roomId, sender: event.sender, command: prepared.command, decision: prepared.decision, auditId }, "command received");
    if (prepared.decision !== "allowed") {
      background(deps.reply.send(target, prepared.output.blocks).then(() => deps.audit.setOutcome(auditId, summarize(prepared.output))));
      return;
    }
    background(
      prepared.run().then(async ({ output, errorId }) => {
        deps.audit.setOutcome(auditId, summarize(output, errorId));
        await deps.reply.send(target, output.blocks);
      }),
    );
  }

  return {
    handleRoomEvent,
    // Waits for commands still running, for a clean shutdown.
    drain: async () => void (await Promise.allSettled([...inflight])),
  };
}
