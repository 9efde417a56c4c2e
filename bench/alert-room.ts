// Reads the alerts benchmark's room back: every message magi sent (posts and their edits), tallied per alert group,
// with when each group's message first appeared and when it first showed the group's final state.
import type { TestUser, TimelineEvent } from "../test/e2e/harness/matrix-user.ts";

// One group as the room shows it.
export interface GroupInRoom {
  events: number;
  postedAt: number;
  // When the message first read as wanted (final); undefined while it doesn't yet.
  finalAt: number | undefined;
}

const PAGE = 1000;

// Every m.room.message botUserId sent into roomId at or after sinceTs, oldest first, paging back through /messages.
export async function readBotMessages(user: TestUser, roomId: string, botUserId: string, sinceTs: number): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let from: string | undefined;
  for (;;) {
    const query = `dir=b&limit=${PAGE}${from ? `&from=${encodeURIComponent(from)}` : ""}`;
    const page = await user.call<{ chunk: TimelineEvent[]; end?: string }>("GET", `/rooms/${encodeURIComponent(roomId)}/messages?${query}`);
    events.push(...page.chunk.filter((e) => e.sender === botUserId && e.type === "m.room.message" && e.origin_server_ts >= sinceTs));
    const oldest = page.chunk.at(-1);
    if (!page.end || !oldest || oldest.origin_server_ts < sinceTs) break;
    from = page.end;
  }
  return events.reverse();
}

// Tallies messages per group, the group named by the post's headline ("🔥 FIRING: NAME — …"); edits count for the
// group of the post they replace. isFinal says whether a (new) body shows the group's final state.
export function tallyGroups(events: readonly TimelineEvent[], isFinal: (name: string, body: string) => boolean): Map<string, GroupInRoom> {
  const groupOfPost = new Map<string, string>();
  const groups = new Map<string, GroupInRoom>();
  for (const e of events) {
    const target = e.content["m.relates_to"]?.rel_type === "m.replace" ? String(e.content["m.relates_to"].event_id) : undefined;
    const body = String((target ? e.content["m.new_content"]?.body : e.content.body) ?? "");
    const name = target ? groupOfPost.get(target) : /^\S+ [A-Z]+: (\S+) —/.exec(body)?.[1];
    if (!name) continue;
    if (!target) groupOfPost.set(e.event_id, name);
    const group = groups.get(name) ?? { events: 0, postedAt: e.origin_server_ts, finalAt: undefined };
    group.events++;
    if (group.finalAt === undefined && isFinal(name, body)) group.finalAt = e.origin_server_ts;
    groups.set(name, group);
  }
  return groups;
}
