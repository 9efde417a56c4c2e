// Turns room events into the chat's numbered one-line-per-event display, and remembers what each [n] refers to.
import { stripReplyFallback } from "../strip-reply-fallback.ts";

// The parts of a Matrix room event the chat looks at.
export interface RoomEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: Record<string, unknown>;
  state_key?: string;
  redacts?: string;
  unsigned?: { prev_content?: Record<string, unknown> };
}

interface Relation {
  rel_type?: string;
  event_id?: string;
  key?: string;
  "m.in_reply_to"?: { event_id?: string };
}

// "@bob:localhost" → "bob": servers are all the same in a sandbox, so the localpart is what tells people apart.
export function shortName(userId: string): string {
  return userId.replace(/^@/, "").split(":")[0] ?? userId;
}

// HH:MM:SS in local time, because that's what the person at the terminal compares against.
export function clockTime(ts: number): string {
  return new Date(ts).toTimeString().slice(0, 8);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

// Numbers events as they are shown and renders them; one instance per chat so [n] stays stable for /react.
export class Timeline {
  private readonly numbers = new Map<string, number>();
  // What a /react on [n] annotates: the original for an edit, nothing for a reaction.
  private readonly targets = new Map<number, string | undefined>();
  private next = 1;

  // The text to print for an event (possibly several lines), or null for events the chat doesn't show or has shown.
  render(event: RoomEvent): string | null {
    if (this.numbers.has(event.event_id)) return null;
    const time = clockTime(event.origin_server_ts);
    const who = shortName(event.sender);
    const relation = (event.content["m.relates_to"] ?? {}) as Relation;
    switch (event.type) {
      case "m.room.message": {
        if (relation.rel_type === "m.replace" && relation.event_id) {
          const fresh = (event.content["m.new_content"] ?? {}) as Record<string, unknown>;
          const body = str(fresh.body) ?? str(event.content.body)?.replace(/^\* /, "") ?? "";
          const n = this.number(event.event_id, relation.event_id);
          return indent(`[${n}] ${time} ✎ ${who} edited ${this.ref(relation.event_id)}: `, body);
        }
        const n = this.number(event.event_id, event.event_id);
        return indent(`[${n}] ${time} `, messageText(who, event.content, relation, (id) => this.ref(id)));
      }
      case "m.room.encrypted":
        return `[${this.number(event.event_id, event.event_id)}] ${time} ${who}: (encrypted; magi chat has no crypto)`;
      case "m.reaction": {
        if (relation.rel_type !== "m.annotation" || !relation.event_id) return null;
        return `[${this.number(event.event_id, undefined)}] ${time} ${who} reacted ${relation.key ?? "?"} to ${this.ref(relation.event_id)}`;
      }
      case "m.room.redaction": {
        const target = event.redacts ?? str(event.content.redacts);
        return target ? `${time} ${who} withdrew ${this.ref(target)}` : null;
      }
      case "m.room.member":
        return membershipLine(time, event);
      default:
        return null;
    }
  }

  // The event id a reaction to [n] should point at, or a reason it can't.
  reactionTarget(n: number): { eventId: string } | { problem: string } {
    if (!this.targets.has(n)) return { problem: `there is no [${n}] on screen` };
    const eventId = this.targets.get(n);
    return eventId ? { eventId } : { problem: `[${n}] is a reaction; react to a message instead` };
  }

  private number(eventId: string, target: string | undefined): number {
    const n = this.next++;
    this.numbers.set(eventId, n);
    this.targets.set(n, target);
    return n;
  }

  private ref(eventId: string): string {
    const n = this.numbers.get(eventId);
    return n === undefined ? "an earlier message" : `[${n}]`;
  }
}

function messageText(who: string, content: Record<string, unknown>, relation: Relation, ref: (id: string) => string): string {
  const raw = str(content.body);
  if (raw === undefined) return `${who}: (withdrawn)`;
  const replyTo = relation["m.in_reply_to"]?.event_id;
  // Old clients quote the message they reply to; the reference already says which one.
  const body = replyTo ? stripReplyFallback(raw) : raw;
  const reply = replyTo ? ` ↩ ${ref(replyTo)}` : "";
  switch (content.msgtype) {
    case "m.emote":
      return `* ${who}${reply} ${body}`;
    case "m.text":
    case "m.notice":
      return `${who}${reply}: ${body}`;
    default:
      return `${who}${reply}: [${String(content.msgtype ?? "message").replace(/^m\./, "")}] ${body}`;
  }
}

function membershipLine(time: string, event: RoomEvent): string | null {
  const now = str(event.content.membership);
  const before = str(event.unsigned?.prev_content?.membership);
  if (!now || now === before) return null; // display name or avatar change
  const subject = shortName(event.state_key ?? event.sender);
  const verbs: Record<string, string> = { join: "joined", leave: "left", invite: "was invited", ban: "was banned" };
  const verb = now === "leave" && event.state_key !== event.sender ? "was removed" : verbs[now];
  return verb ? `${time} · ${subject} ${verb}` : null;
}

// Puts continuation lines of a multi-line body under the first line's text, so the [n] column stays readable.
function indent(prefix: string, text: string): string {
  const pad = " ".repeat(Math.min(prefix.length, 24));
  return prefix + text.split("\n").join(`\n${pad}`);
}
