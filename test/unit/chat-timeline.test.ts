// The chat's display and input parsing, without a homeserver.
import { describe, expect, it } from "vitest";
import { parseInput } from "../../bot/chat/chat-input.ts";
import { resolveSession } from "../../bot/chat/chat-session.ts";
import { Timeline, type RoomEvent } from "../../bot/chat/timeline.ts";

const ts = new Date(2025, 0, 1, 9, 5, 7).getTime();
const ev = (id: string, type: string, sender: string, content: Record<string, unknown>, extra: Partial<RoomEvent> = {}): RoomEvent => ({
  event_id: id,
  type,
  sender,
  origin_server_ts: ts,
  content,
  ...extra,
});

describe("Timeline", () => {
  it("numbers messages and refers back to them", () => {
    const t = new Timeline();
    expect(t.render(ev("$a", "m.room.message", "@bob:localhost", { msgtype: "m.text", body: "hi" }))).toBe("[1] 09:05:07 bob: hi");
    expect(t.render(ev("$a", "m.room.message", "@bob:localhost", { msgtype: "m.text", body: "hi" }))).toBeNull();
    expect(t.render(ev("$b", "m.room.message", "@magi:localhost", { msgtype: "m.notice", body: "up\ndown", "m.relates_to": { "m.in_reply_to": { event_id: "$a" } } }))).toBe(
      "[2] 09:05:07 magi ↩ [1]: up\n             down",
    );
    expect(t.render(ev("$c", "m.reaction", "@alice:localhost", { "m.relates_to": { rel_type: "m.annotation", event_id: "$a", key: "👍" } }))).toBe(
      "[3] 09:05:07 alice reacted 👍 to [1]",
    );
    expect(t.render(ev("$d", "m.room.message", "@bob:localhost", { body: "* yo", "m.new_content": { body: "yo" }, "m.relates_to": { rel_type: "m.replace", event_id: "$a" } }))).toBe(
      "[4] 09:05:07 ✎ bob edited [1]: yo",
    );
    expect(t.render(ev("$e", "m.room.redaction", "@bob:localhost", {}, { redacts: "$zzz" }))).toBe("09:05:07 bob withdrew an earlier message");
    expect(t.reactionTarget(4)).toEqual({ eventId: "$a" });
    expect(t.reactionTarget(3)).toHaveProperty("problem");
    expect(t.reactionTarget(99)).toHaveProperty("problem");
  });

  it("skips state noise but shows joins", () => {
    const t = new Timeline();
    expect(t.render(ev("$m", "m.room.member", "@magi:localhost", { membership: "join" }, { state_key: "@magi:localhost" }))).toBe("09:05:07 · magi joined");
    expect(t.render(ev("$n", "m.room.member", "@magi:localhost", { membership: "join", displayname: "M" }, { state_key: "@magi:localhost", unsigned: { prev_content: { membership: "join" } } }))).toBeNull();
    expect(t.render(ev("$p", "m.room.power_levels", "@magi:localhost", {}, { state_key: "" }))).toBeNull();
  });
});

describe("parseInput", () => {
  it("tells messages from commands", () => {
    expect(parseInput("hello")).toEqual({ kind: "send", body: "hello" });
    expect(parseInput("//etc/hosts")).toEqual({ kind: "send", body: "/etc/hosts" });
    expect(parseInput("  ")).toEqual({ kind: "nothing" });
    expect(parseInput("/react [3] 👍")).toEqual({ kind: "react", n: 3, key: "👍" });
    expect(parseInput("/react x")).toHaveProperty("kind", "error");
    expect(parseInput("/quit")).toEqual({ kind: "quit" });
    expect(parseInput("/nope")).toHaveProperty("kind", "error");
  });
});

describe("resolveSession", () => {
  it("wants a password or a token for explicit flags", () => {
    expect(resolveSession(["--homeserver", "http://h", "--room", "!r:h"])).toMatchObject({ ok: false, code: 2 });
    expect(resolveSession(["--homeserver", "http://h/", "--room", "!r:h", "--token-env", "T"], { T: "tok" })).toEqual({
      ok: true,
      session: { homeserverUrl: "http://h", roomId: "!r:h", accessToken: "tok" },
    });
  });

  it("points at npm start when there is no sandbox", () => {
    const result = resolveSession(["--sandbox", "/nonexistent/magi"], {});
    expect(result).toMatchObject({ ok: false, code: 1 });
    expect(!result.ok && result.message).toContain("npm start");
  });
});
