// A command knows which event it answers: a reply's m.in_reply_to, else its thread's root (a Slack thread reply).
import { describe, expect, it } from "vitest";
import { readCommandEvent } from "../../../bot/read-command-event.ts";

const event = (relation?: Record<string, unknown>) => ({
  type: "m.room.message", sender: "@dan:example.org", event_id: "$cmd", origin_server_ts: 1000,
  content: { msgtype: "m.text", body: "!silence 2h disk", ...(relation ? { "m.relates_to": relation } : {}) },
});
const read = (relation?: Record<string, unknown>) => readCommandEvent(event(relation), "@magi:example.org", "!", 1000);

describe("the event a command replies to", () => {
  it("is the reply's in_reply_to, the thread root when in_reply_to is only a fallback, and absent otherwise", () => {
    expect(read({ "m.in_reply_to": { event_id: "$alert" } })).toMatchObject({ kind: "command", body: "!silence 2h disk", replyTo: "$alert" });
    expect(read({ rel_type: "m.thread", event_id: "$root", is_falling_back: true, "m.in_reply_to": { event_id: "$last" } })).toMatchObject({ replyTo: "$root", threadRoot: "$root" });
    expect(read({ rel_type: "m.thread", event_id: "$root", is_falling_back: false, "m.in_reply_to": { event_id: "$alert" } })).toMatchObject({ replyTo: "$alert" });
    expect(read()).not.toHaveProperty("replyTo");
  });
});
