// Reads magi's alert messages back from a room as a person sees them: each group's posts, and the edits of each post.
import { waitUntil } from "../../wait-until.ts";
import type { TestUser, TimelineEvent } from "./matrix-user.ts";

// Tells whether an event is an edit (m.replace) of an earlier message.
export const isEdit = (e: TimelineEvent): boolean => e.content["m.relates_to"]?.rel_type === "m.replace";

// Readers over the room's timeline as reader sees it, for messages sent by botUserId into defaultRoom (or another).
export function createAlertMessages(reader: TestUser, botUserId: string, defaultRoom: string) {
  const botMessages = async (roomId = defaultRoom) => (await reader.timeline(roomId)).filter((e) => e.sender === botUserId && e.type === "m.room.message");
  // A group's posts (not edits): the headline names the group, "🔥 FIRING: NAME — …".
  const posts = async (name: string, roomId = defaultRoom) => (await botMessages(roomId)).filter((e) => !isEdit(e) && String(e.content.body).includes(`: ${name} —`));
  const editsOf = async (eventId: string, roomId = defaultRoom) =>
    (await botMessages(roomId)).filter((e) => isEdit(e) && e.content["m.relates_to"].event_id === eventId);
  const waitForPosts = (name: string, count: number, roomId = defaultRoom, timeoutMs = 30_000) =>
    waitUntil(`${count} message(s) for ${name}`, async () => ((await posts(name, roomId)).length === count ? posts(name, roomId) : undefined), { timeoutMs, intervalMs: 200 });
  const waitForEdits = (eventId: string, count: number, roomId = defaultRoom, timeoutMs = 30_000) =>
    waitUntil(`${count} edit(s) of ${eventId}`, async () => ((await editsOf(eventId, roomId)).length >= count ? editsOf(eventId, roomId) : undefined), { timeoutMs, intervalMs: 200 });
  return { botMessages, posts, editsOf, waitForPosts, waitForEdits };
}
