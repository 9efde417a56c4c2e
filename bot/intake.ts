// Turns synced room events into commands: filters, claims each event once, audits, dispatches, and hands out reactions and redactions.
import type { Logger } from "pino";
import type { MetricsPort } from "../domain/metrics-port.ts";
import { parseCommand } from "../commands/core/parse.ts";
import type { AuditLog } from "../storage/audit-log.ts";
import type { ProcessedEvents } from "../storage/processed-events.ts";
import type { Approvals } from "./approvals.ts";
import type { Deliver } from "./deliver-output.ts";
import type { JoinTimes } from "./join-times.ts";
import { readCommandEvent, type RoomEvent } from "./read-command-event.ts";
import type { ReplyTarget } from "./reply-port.ts";
import type { RoomAccess } from "./room-access.ts";
import type { RunCommand } from "./run-command.ts";

// What the intake needs from the rest of the bot.
export interface IntakeDeps {
  botUserId: string;
  // magi's display name, so "Display Name: !status" counts as addressed to magi.
  botDisplayName?: string;
  prefix: string;
  maxAgeMs: number;
  access: Pick<RoomAccess, "policyIn" | "callerUnder">;
  joinTimes: JoinTimes;
  processed: ProcessedEvents;
  audit: AuditLog;
  deliver: Deliver;
  runCommand: RunCommand;
  approvals: Pick<Approvals, "onReaction" | "onRedaction">;
  log: Logger;
  now(): number;
  metrics?: MetricsPort;
}

const HTML_DIFFERS = "This message's text and its formatted version say different things, so magi did not run it. Send the command again as plain text.";

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

  async function handleCommand(roomId: string, event: RoomEvent): Promise<void> {
    const candidate = readCommandEvent(event, deps.botUserId, deps.prefix, deps.now(), deps.botDisplayName);
    if (candidate.kind === "ignore") return;
    const parsed = parseCommand(candidate.body, deps.prefix);
    if (parsed.kind === "none") return;
    const policy = await deps.access.policyIn(roomId, event.sender);
    if (!policy) return deps.log.debug({ roomId, sender: event.sender }, "command in a room magi does not serve; ignored");
    if (event.origin_server_ts < (await deps.joinTimes.joinedAt(roomId))) return deps.log.debug({ roomId, eventId: event.event_id }, "command from before magi joined the room; ignored");
    // The claim is written with the audit row, in one transaction, before anything runs.
    const claim = () => deps.processed.claim(event.event_id, roomId, deps.now());
    const already = () => deps.log.debug({ eventId: event.event_id }, "event already processed; not running it again");
    const caller = deps.access.callerUnder(policy, event.sender);
    const base = { at: deps.now(), roomId, eventId: event.event_id, sender: event.sender, text: candidate.body, level: caller.level };
    const target: ReplyTarget = { roomId, eventId: event.event_id, threadRoot: candidate.threadRoot, msgtype: policy.replyMsgtype };
    if (candidate.ageMs > deps.maxAgeMs) {
      if (deps.audit.recordClaimed({ ...base, command: null, decision: "stale", outcome: "not run: too old" }, claim) === undefined) return already();
      deps.metrics?.countCommand(parsed.name, "stale");
      const text = `This command arrived while magi was offline (sent ${describeAge(candidate.ageMs)}) and was not run. Send it again if you still want it.`;
      return background(deps.deliver(target, { ok: false, blocks: [{ kind: "text", text }] }, null));
    }
    if (candidate.htmlDiffers) {
      // Clients show the HTML, magi would run the body: refusing is the only reading everyone agrees on.
      if (deps.audit.recordClaimed({ ...base, command: parsed.name, decision: "invalid", outcome: "not run: text and formatted text differ" }, claim) === undefined) return already();
      deps.metrics?.countCommand(parsed.name, "invalid");
      return background(deps.deliver(target, { ok: false, blocks: [{ kind: "text", text: HTML_DIFFERS }] }, null));
    }
    // Claimed and audited before this returns (runCommand does both before its first await), so a crash cannot run it
    // twice or lose its trace; run and answered in the background.
    background(deps.runCommand({ caller, target, text: candidate.body, claim, ...(candidate.replyTo ? { replyTo: candidate.replyTo } : {}) }).then(() => undefined));
  }

  // Handles one synced event; commands are claimed and audited before this returns, and run in the background.
  async function handleRoomEvent(roomId: string, event: RoomEvent & { redacts?: string }): Promise<void> {
    deps.joinTimes.noteMembership(roomId, event);
    if (event.type === "m.room.encrypted") {
      if (!warnedEncrypted.has(roomId)) {
        warnedEncrypted.add(roomId);
        deps.log.error({ roomId }, "encrypted message received: this build of magi does not support end-to-end encrypted rooms; commands there are ignored");
      }
      return;
    }
    if (event.type === "m.reaction" || event.type === "m.room.redaction") {
      if (!deps.processed.claim(event.event_id, roomId, deps.now())) return;
      // In the background like commands: a vote that approves runs the command, and a multi-host
      // deploy's reply waits for every job, which must not stop magi reading !cancel meanwhile. The
      // vote and any decision are stored before the first await, so they are durable on return.
      if (event.type === "m.reaction") return background(deps.approvals.onReaction(roomId, event));
      const redacts = event.redacts ?? (event.content?.redacts as string | undefined);
      if (redacts) background(deps.approvals.onRedaction(roomId, redacts, event.sender));
      return;
    }
    return handleCommand(roomId, event);
  }

  return {
    handleRoomEvent,
    // Waits for commands still running, for a clean shutdown.
    drain: async () => void (await Promise.allSettled([...inflight])),
  };
}
