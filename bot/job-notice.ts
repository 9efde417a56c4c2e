// Tells the requester when their job ends: edits of the progress message notify nobody in Element or Slack, a reply that mentions them does.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { formatDuration } from "../runners/jobs/format-duration.ts";
import { isOrphanPhase } from "../runners/jobs/tracked-process.ts";
import type { JobRecord } from "../runners/jobs/types.ts";
import { buildReply, type ReplyMsgtype } from "./build-reply.ts";
import { escapeHtml } from "./render.ts";
import { sendEventWithRetry } from "./send-event.ts";

// Whether a finished job is worth a ping: every failure, and successes the requester waited long enough for to have looked away.
export function shouldNotify(job: JobRecord, notifyAfterMs: number): boolean {
  if (job.state !== "succeeded") return true;
  // The requester was told the job outlived a restart; how it ended is the news they wait for.
  if (isOrphanPhase(job.phase)) return true;
  // From the request, not the start: time spent queued behind another job is waiting too.
  return (job.finishedAt ?? job.createdAt) - job.createdAt >= notifyAfterMs;
}

// The notice's text: "deploy misato failed after 20 min (exit 1): activation failed — !log 12".
export function describeJobEnd(job: JobRecord, prefix: string): string {
  const took = job.startedAt !== null && job.finishedAt !== null ? ` after ${formatDuration(job.finishedAt - job.startedAt)}` : "";
  const exit = job.exitCode !== null && job.exitCode !== 0 ? ` (exit ${job.exitCode})` : "";
  const summary = job.summary ? `: ${job.summary.slice(0, 200)}` : "";
  return `${job.command} ${job.host} ${job.state.replace("_", " ")}${took}${exit}${summary} — ${prefix}log ${job.id}`;
}

// What the notifier needs.
export interface JobNoticeDeps {
  client: MatrixClient;
  log: Logger;
  msgtypeFor(roomId: string): ReplyMsgtype;
  prefix: string;
  notifyAfterMs: number;
}

// Creates send (a mention of the requester with any text) and notifyEnd (the notice for a finished job, when it is worth one).
export function createJobNotifier(deps: JobNoticeDeps) {
  // The command a job message answers and its thread, read from the message itself, so this works for jobs from before a restart too.
  async function commandOf(job: JobRecord): Promise<{ eventId: string; threadRoot?: string } | undefined> {
    if (!job.messageEventId) return undefined;
    const event = await deps.client.getEvent(job.roomId, job.messageEventId).catch(() => undefined);
    const relation = event?.content?.["m.relates_to"];
    const eventId = relation?.["m.in_reply_to"]?.event_id;
    const threadRoot = relation?.rel_type === "m.thread" ? relation.event_id : undefined;
    if (typeof eventId !== "string") return { eventId: job.messageEventId };
    return typeof threadRoot === "string" ? { eventId, threadRoot } : { eventId };
  }

  // How the requester is named in the room; their user ID when the room does not say.
  async function nameOf(job: JobRecord): Promise<string> {
    const member = await deps.client.getRoomStateEvent(job.roomId, "m.room.member", job.requester).catch(() => undefined);
    return typeof member?.displayname === "string" && member.displayname.trim() !== "" ? member.displayname : job.requester;
  }

  async function send(job: JobRecord, text: string): Promise<void> {
    try {
      const [command, name] = await Promise.all([commandOf(job), nameOf(job)]);
      const msgtype = deps.msgtypeFor(job.roomId);
      const base = command ? buildReply([], msgtype, command.eventId, command.threadRoot) : { msgtype };
      const pill = `<a href="https://matrix.to/#/${escapeHtml(job.requester)}">${escapeHtml(name)}</a>`;
      await sendEventWithRetry(deps.client, deps.log, job.roomId, "m.room.message", {
        ...base,
        body: `${name}: ${text}`,
        format: "org.matrix.custom.html",
        formatted_body: `${pill}: ${escapeHtml(text)}`,
        "m.mentions": { user_ids: [job.requester] },
      });
    } catch (error) {
      deps.log.warn({ jobId: job.id, err: (error as Error).message }, "could not tell the requester their job ended");
    }
  }

  return {
    send,
    notifyEnd: async (job: JobRecord) => (shouldNotify(job, deps.notifyAfterMs) ? send(job, describeJobEnd(job, deps.prefix)) : undefined),
  };
}

// The notifier's type.
export type JobNotifier = ReturnType<typeof createJobNotifier>;
