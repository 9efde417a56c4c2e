import { describe, expect, it } from "vitest";
import { MAX_COMMAND_LENGTH, parseCommand, tokenize } from "../../../commands/core/parse.ts";

describe("parseCommand", () => {
  it("reads a name and arguments", () => {
    expect(parseCommand("!deploy misato main", "!")).toEqual({ kind: "command", name: "deploy", args: ["misato", "main"] });
  });

  it("lower-cases the name but keeps argument case", () => {
    expect(parseCommand("  !PING  Foo ", "!")).toEqual({ kind: "command", name: "ping", args: ["Foo"] });
  });

  it("ignores text that is not a command", () => {
    for (const body of ["hello", "! ping", "!!", "!123", "!ping!now", "mention !ping", ""]) {
      expect(parseCommand(body, "!")).toEqual({ kind: "none" });
    }
  });

  it("groups quoted words, straight or Slack's curly quotes", () => {
    expect(parseCommand('!lock misato "kernel upgrade tonight"', "!")).toMatchObject({ args: ["misato", "kernel upgrade tonight"] });
    expect(parseCommand("!lock misato \u201ckernel upgrade\u201d", "!")).toMatchObject({ args: ["misato", "kernel upgrade"] });
    expect(parseCommand("!lock misato 'it\"s'", "!")).toMatchObject({ args: ["misato", 'it"s'] });
    expect(parseCommand('!x "" a', "!")).toMatchObject({ args: ["", "a"] });
  });

  it("reads a phone's or macOS's smart dash at the start of an unquoted token as --", () => {
    expect(parseCommand("!deploy misato \u2014dry-run", "!")).toEqual({ kind: "command", name: "deploy", args: ["misato", "--dry-run"] });
    expect(parseCommand("!deploy misato \u2013dry-run", "!")).toMatchObject({ args: ["misato", "--dry-run"] });
    expect(parseCommand("!deploy misato \u2014 main", "!")).toMatchObject({ args: ["misato", "--", "main"] });
    // Inside a word, or quoted, a dash is the user's text.
    expect(parseCommand("!lock misato upgrade\u2014tonight \u201c\u2014 kernel\u201d \"\u2013x\"", "!")).toMatchObject({ args: ["misato", "upgrade\u2014tonight", "\u2014 kernel", "\u2013x"] });
  });

  it("groups Slack's curly single quotes and keeps an apostrophe inside a word", () => {
    expect(parseCommand("!lock misato \u2018kernel upgrade\u2019 it\u2019s", "!")).toMatchObject({ args: ["misato", "kernel upgrade", "it\u2019s"] });
  });

  it("reports an unterminated quote", () => {
    expect(parseCommand('!lock misato "oops', "!")).toEqual({ kind: "error", name: "lock", message: 'unterminated quote: add a closing "' });
  });

  it("keeps shell metacharacters as inert text", () => {
    expect(parseCommand("!status misato;rm -rf / $(reboot) `id` | cat > /etc/passwd", "!")).toEqual({
      kind: "command",
      name: "status",
      args: ["misato;rm", "-rf", "/", "$(reboot)", "`id`", "|", "cat", ">", "/etc/passwd"],
    });
  });

  it("handles unicode and non-breaking spaces", () => {
    expect(parseCommand("!lock nas 🔧 ünïcödé\u00a0test", "!")).toMatchObject({ args: ["nas", "🔧", "ünïcödé", "test"] });
  });

  it("refuses very long input", () => {
    const long = "!status " + "a".repeat(MAX_COMMAND_LENGTH);
    expect(parseCommand(long, "!")).toEqual({ kind: "error", name: "status", message: `command is too long (${long.length} characters, at most ${MAX_COMMAND_LENGTH})` });
  });

  it("supports other prefixes", () => {
    expect(parseCommand("magi: ping", "magi:")).toEqual({ kind: "none" });
    expect(parseCommand(".ping", ".")).toEqual({ kind: "command", name: "ping", args: [] });
  });

  it("tokenizes multi-line input on any whitespace", () => {
    expect(tokenize(" a\n\tb  c ")).toEqual(["a", "b", "c"]);
  });
});
