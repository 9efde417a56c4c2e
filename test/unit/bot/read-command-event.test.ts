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

describe("commands addressed to magi", () => {
  const magi = "@magi:x";
  const html = (body: string, formatted: string, extra: Record<string, unknown> = {}) => message({ msgtype: "m.text", body, format: "org.matrix.custom.html", formatted_body: formatted, ...extra });
  const pill = (userId: string, name: string) => `<a href="https://matrix.to/#/${userId}">${name}</a>`;

  it("reads the command after magi's name, @localpart, full ID or display name", () => {
    for (const body of ["magi: !status misato", "magi, !status misato", "@magi !status misato", "@magi: !status misato", "Magi:!status misato", "@magi:x: !status misato", "NERV ops: !status misato", "  magi   !status misato"]) {
      expect(readCommandEvent(message({ msgtype: "m.text", body }), magi, "!", now, "NERV ops"), body).toEqual({ kind: "command", body: "!status misato", ageMs: 500 });
    }
  });

  it("reads a mention pill to magi, as Element and mautrix-slack send it", () => {
    const mention = { "m.mentions": { user_ids: [magi] } };
    expect(readCommandEvent(html("magi: !status", `${pill(magi, "magi")}: !status`, mention), magi, "!", now)).toEqual({ kind: "command", body: "!status", ageMs: 500 });
    // The body shows the display name the client knew, which magi itself may not.
    expect(readCommandEvent(html("Bot Of Ops: !ping", `${pill("%40magi%3Ax", "Bot Of Ops")}: !ping`, mention), magi, "!", now)).toMatchObject({ kind: "command", body: "!ping" });
    expect(readCommandEvent(html("magi: !ping", `<mx-reply><blockquote>!deploy</blockquote></mx-reply>${pill(magi, "magi")}: !ping`, { ...mention, "m.relates_to": { "m.in_reply_to": { event_id: "$a" } } }), magi, "!", now)).toMatchObject({ kind: "command", body: "!ping" });
  });

  it("ignores commands addressed to someone else", () => {
    for (const body of ["@other !status", "@other: !status", "other: !status", "magician: !status", "magi", "magi:"]) {
      expect(readCommandEvent(message({ msgtype: "m.text", body }), magi, "!", now), body).toEqual({ kind: "ignore", reason: "not a command" });
    }
    // Someone else whose display name is "magi": the pill, not the text, says who is meant.
    expect(readCommandEvent(html("magi: !status", `${pill("@other:x", "magi")}: !status`, { "m.mentions": { user_ids: ["@other:x"] } }), magi, "!", now)).toEqual({ kind: "ignore", reason: "addressed to someone else" });
    expect(readCommandEvent(html("magi: !status", `${pill(magi, "magi")}: !status`, { "m.mentions": { user_ids: ["@other:x"] } }), magi, "!", now)).toEqual({ kind: "ignore", reason: "addressed to someone else" });
  });

  it("flags a command whose formatted version shows different text", () => {
    const differs = readCommandEvent(html("!deploy misato", "<p>!status misato</p>"), magi, "!", now);
    expect(differs).toEqual({ kind: "command", body: "!deploy misato", ageMs: 500, htmlDiffers: true });
    expect(readCommandEvent(html("!deploy misato", "<p>hello</p>"), magi, "!", now)).toMatchObject({ htmlDiffers: true });
    expect(readCommandEvent(html("magi: !deploy misato", `${pill(magi, "magi")}: !deploy kaji`, { "m.mentions": { user_ids: [magi] } }), magi, "!", now)).toMatchObject({ htmlDiffers: true });
    // Hidden content does not count as shown: a script or a reply quote in the middle is not text.
    expect(readCommandEvent(html("!deploy misato", "!deploy <script>misato</script>"), magi, "!", now)).toMatchObject({ htmlDiffers: true });
  });

  it("accepts a formatted version that shows the same command", () => {
    const same = [
      ["!lock misato **kernel** `upgrade` & <more>", "!lock misato <strong>kernel</strong> <code>upgrade</code> &amp; &lt;more&gt;"],
      ["!lock misato a\nb", "<p>!lock misato a</p><p>b</p>"],
      ["!lock misato it\u2019s 5\u00a0pm", "!lock misato it&#x2019;s 5&nbsp;pm<!-- a comment -->"],
      ["!status https://example.org", '!status <a href="https://example.org">https://example.org</a>'],
      ["!ping", "!ping"],
    ];
    for (const [body, formatted] of same) expect(readCommandEvent(html(body!, formatted!), magi, "!", now), formatted).toEqual({ kind: "command", body, ageMs: 500 });
  });

  it("reads a 60,000-character body and HTML quickly", () => {
    const hostile = ["<a href='" + "<".repeat(60_000), "<!--" + "&".repeat(60_000), "<p " + "\"".repeat(60_000), "</mx-reply".repeat(6_000), "&#x" + "1".repeat(60_000)];
    const started = performance.now();
    for (const formatted of hostile) {
      expect(readCommandEvent(html("!ping " + "a ".repeat(30_000), formatted), magi, "!", now)).toMatchObject({ kind: "command", htmlDiffers: true });
      expect(readCommandEvent(html("magi: ".repeat(10_000), `<mx-reply>${formatted}`), magi, "!", now)).toMatchObject({ kind: "ignore" });
    }
    expect(performance.now() - started).toBeLessThan(500);
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
