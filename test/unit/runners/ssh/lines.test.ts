import { describe, expect, it } from "vitest";
import { createLineSplitter } from "../../../../runners/ssh/lines.ts";

// Feeds the chunks and returns the lines seen.
function split(chunks: Buffer[]): { lines: string[]; text: string } {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.flush();
  return { lines, text: splitter.text() };
}

describe("createLineSplitter", () => {
  it("joins lines split across chunks and flushes the partial last line", () => {
    const { lines, text } = split([Buffer.from("one\ntw"), Buffer.from("o\nthr"), Buffer.from("ee")]);
    expect(lines).toEqual(["one", "two", "three"]);
    expect(text).toBe("one\ntwo\nthree");
  });

  it("keeps a multibyte character cut between chunks intact", () => {
    const bytes = Buffer.from("ä🔥\n");
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(split(chunks)).toEqual({ lines: ["ä🔥"], text: "ä🔥\n" });
  });

  it("strips CR from CRLF lines, keeps empty lines, adds nothing after a final newline", () => {
    expect(split([Buffer.from("a\r\n\nb\n")]).lines).toEqual(["a", "", "b"]);
  });
});
