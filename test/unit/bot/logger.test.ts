// Log lines as an operator sees them: readable on a terminal, JSON elsewhere, secrets scrubbed either way; fatal errors as one sentence.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, registerSecret, reportFatal } from "../../../bot/logger.ts";

function capture(stream: NodeJS.WriteStream): string[] {
  const written: string[] = [];
  vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  return written;
}

afterEach(() => vi.restoreAllMocks());

describe("createLogger", () => {
  it("prints human-readable lines on a terminal, with the secret scrubbed", () => {
    const out = capture(process.stdout);
    registerSecret("syt_sEcReTtOkEn");
    createLogger("info", true).info({ roomId: "!r:x", token: "syt_sEcReTtOkEn" }, "command received");
    const text = out.join("").replace(/\x1b\[[0-9;]*m/g, "");
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: command received\n/);
    expect(text).toContain('roomId: "!r:x"');
    expect(text).toContain('token: "[secret]"');
    expect(text).not.toContain("sEcReT");
    expect(text).not.toContain('{"level"');
  });

  it("prints JSON lines anywhere else", () => {
    const out = capture(process.stdout);
    createLogger("info", false).warn({ jobId: 3 }, "could not edit job message");
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 40, name: "magi", jobId: 3, msg: "could not edit job message" });
  });
});

describe("reportFatal", () => {
  it("writes one plain sentence to stderr: the first line of the message, no stack", () => {
    const err = capture(process.stderr);
    reportFatal(new Error("the homeserver at http://127.0.0.1:1 does not answer\n    at connect (x.ts:1:1)"));
    reportFatal("no rooms configured");
    expect(err).toEqual(["magi cannot start: the homeserver at http://127.0.0.1:1 does not answer\n", "magi cannot start: no rooms configured\n"]);
  });
});
