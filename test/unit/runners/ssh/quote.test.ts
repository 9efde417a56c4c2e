import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildRemoteCommand, quotePosix } from "../../../../runners/ssh/quote.ts";
import { buildWrappedCommand } from "../../../../runners/ssh/wrapper.ts";

const NASTY = [
  "$(rm -rf /)",
  "; rm -rf / ;",
  "`id`",
  "a\nb\n",
  "it's \"quoted\"",
  "'",
  "''\\'",
  "\\",
  "$HOME ${PATH} $((1+1))",
  "* ? [a-z] ~",
  "| & > < >> 2>&1",
  "-n",
  "--",
  "",
  " leading and trailing ",
  "tab\there",
  "ünïcödé 日本語 🔥 \u200b",
  "!event !! history",
  "%s %d \\0",
];

// Runs the line in a real shell that prints each resulting argument NUL-terminated.
async function echoThroughShell(shell: string, args: readonly string[]): Promise<string[]> {
  const line = `printf '%s\\0' ${args.map(quotePosix).join(" ")}`;
  const { stdout } = await execa(shell, ["-c", line], { stripFinalNewline: false });
  return stdout.split("\0").slice(0, -1);
}

describe("quotePosix", () => {
  it.each(["dash", "bash"])("survives %s byte for byte with nasty arguments", async (shell) => {
    expect(await echoThroughShell(shell, NASTY)).toEqual(NASTY);
  });

  it("survives arbitrary unicode strings", async () => {
    const piece = fc.constantFrom("'", '"', "$(", "`", ";", "\n", "\\", "*", " ", "!", "é", "🔥");
    const arg = fc.oneof(fc.string({ unit: "binary" }), fc.array(piece).map((p) => p.join("")));
    const noNul = arg.filter((s) => !s.includes("\0"));
    await fc.assert(
      fc.asyncProperty(fc.array(noNul, { minLength: 1, maxLength: 8 }), async (args) => {
        expect(await echoThroughShell("bash", args)).toEqual(args);
      }),
      { numRuns: 40 },
    );
  });
});

describe("buildRemoteCommand", () => {
  it("quotes every element, the program name too", () => {
    expect(buildRemoteCommand(["echo", "a b"])).toBe("'echo' 'a b'");
    expect(buildRemoteCommand(["it's"])).toBe("'it'\\''s'");
  });

  it("prefixes sudo -n -- when asked", () => {
    expect(buildRemoteCommand(["systemctl", "restart", "x"], true)).toBe("sudo -n -- 'systemctl' 'restart' 'x'");
  });

  it("refuses an empty argv and NUL bytes", () => {
    expect(() => buildRemoteCommand([])).toThrow(/empty/);
    expect(() => buildRemoteCommand(["a\0b"])).toThrow(/NUL/);
  });
});

describe("buildWrappedCommand", () => {
  it("runs the same argv and keeps the exit code when run by a login shell", async () => {
    const line = buildWrappedCommand(["sh", "-c", 'printf "%s\\0" "$@"; exit 7', "sh", ...NASTY]);
    // Stdin ends at once, as if the channel were gone: the exit status file goes to a directory of the test's own.
    const tmp = mkdtempSync(join(tmpdir(), "magi-quote-"));
    const run = await execa("bash", ["-c", line], { reject: false, input: "", stripFinalNewline: false, env: { TMPDIR: tmp } });
    expect(run.exitCode).toBe(7);
    expect(run.stdout.split("\0").slice(0, -1)).toEqual(NASTY);
  });
});
