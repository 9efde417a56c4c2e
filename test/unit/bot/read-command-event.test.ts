import { describe, expect, it } from "vitest";
import { readCommandEvent, type RoomEvent } from "../../../bot/read-command-event.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { stripReplyFallback } from "../../../bot/strip-reply-fallback.ts";

const now = 1_000_000;
const message = (content: Record<string, unknown>, extra: Partial<RoomEvent> = {}): RoomEvent => ({
  type: "m.room.message", sender: "@dan:x", event_id: "$e", origin_server_ts: now - 500, content, ...extra,
});

describe("readCommandEvent", () => {
  it("reads a text command with the server's age", () => {
    expect(readCommandEvent(message({ msgtype: "m.text", body: "!ping" }, { unsigned: { age: 42 } }), "@magi:x", "!", now)).toEqual({ kind: "command", body: "!ping", ageMs: 42 });
    expect(readCommandEvent(message({ msgtype: "m.text", body: "!ping" }), "@magi:x", "!", now)).toMatchObject({ ageMs: 500 });
  });

  it("ignores own events, notices, emotes, images and plain chat", () => {
    expect(readCommandEvent(message({ msgtype: "m.text", body: "!ping" }, { sender: "@magi:x" }), "@magi:x", "!", now)).toEqual({ kind: "ignore", reason: "own event" });
    expect(readCommandEvent(message({ msgtype: "m.notice", body: "!ping" }), "@magi:x", "!", now)).toMatchObject({ kind: "ignore" });
    expect(readCommandEvent(message({ msgtype: "m.emote", body: "!ping" }), "@magi:x", "!", now)).toMatchObject({ kind: "ignore" });
    expect(readCommandEvent(message({ msgtype: "m.image", body: "!ping.png" }), "@magi:x", "!", now)).toMatchObject({ kind: "ignore" });
    expect(readCommandEvent(message({ msgtype: "m.text", body: "hi" }), "@magi:x", "!", now)).toEqual({ kind: "ignore", reason: "not a command" });
    expect(readCommandEvent({ ...message({}), type: "m.reaction" }, "@magi:x", "!", now)).toMatchObject({ kind: "ignore" });
  });

  it("never treats an edit as a command", () => {
    const edit = message({ msgtype: "m.text", body: "* !deploy misato", "m.new_content": { msgtype: "m.text", body: "!deploy misato" }, "m.relates_to": { rel_type: "m.replace", event_id: "$orig" } });
    expect(readCommandEvent(edit, "@magi:x", "!", now)).toEqual({ kind: "ignore", reason: "edit" });
  });

  it("strips a reply fallback before reading, so a quoted command does not run", () => {
    const reply = message({ msgtype: "m.text", body: "> <@kim:x> !deploy misato\n\nthanks", "m.relates_to": { "m.in_reply_to": { event_id: "$a" } } });
    expect(readCommandEvent(reply, "@magi:x", "!", now)).toEqual({ kind: "ignore", reason: "not a command" });
    const command = message({ msgtype: "m.text", body: "> <@kim:x> what's up\n\n!ping", "m.relates_to": { "m.in_reply_to": { event_id: "$a" } } });
    expect(readCommandEvent(command, "@magi:x", "!", now)).toMatchObject({ kind: "command", body: "!ping" });
  });

  it("keeps the thread of a threaded command", () => {
    const threaded = message({ msgtype: "m.text", body: "!ping", "m.relates_to": { rel_type: "m.thread", event_id: "$root", "m.in_reply_to": { event_id: "$root" }, is_falling_back: true } });
    expect(readCommandEvent(threaded, "@magi:x", "!", now)).toMatchObject({ kind: "command", threadRoot: "$root" });
  });
});

describe("stripReplyFallback and rendering", () => {
  it("leaves bodies without a fallback alone", () => {
    expect(stripReplyFallback("!ping\n> not a fallback")).toBe("!ping\n> not a fallback");
  });

  it("escapes HTML and aligns plain tables", () => {
    const out = renderBlocks([{ kind: "text", text: "<b>&" }, { kind: "table", columns: ["host", "tags"], rows: [["misato", "@k3s"]] }]);
    expect(out.formattedBody).toBe("<p>&lt;b&gt;&amp;</p><pre><code>host    tags\nmisato  @k3s</code></pre>");
    expect(out.body).toBe("<b>&\n```\nhost    tags\nmisato  @k3s\n```");
  });
});
