// The typed argument helpers every command uses, and what users see when a word is refused.
import { describe, expect, it } from "vitest";
import { hostNameToken, jobIdToken, refToken, selectorToken } from "../../../commands/core/args.ts";
import { deployArgs } from "../../../commands/core/deploy-args.ts";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Level } from "../../../domain/levels.ts";
import { makeContext } from "./make-context.ts";

const HOST = "expected a host name from !hosts (lower-case letters, digits and dashes)";
const SELECTOR = "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all";
const JOB_ID = "expected a job id (a number, as !jobs shows it)";

// The first problem zod reports for a value, as commands show it.
function problemOf(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error?.issues[0]?.message;
}

// What the room would read in reply to a command from a caller at the given level.
function replyTo(body: string, level: Level): string {
  const prepared = prepareCommand(body, makeContext(level).ctx, () => {});
  if (prepared.decision !== "invalid") return `(${prepared.decision})`;
  const [block] = prepared.output.blocks;
  return block?.kind === "text" ? block.text : "";
}

describe("typed argument tokens", () => {
  it("a host name: only the safe alphabet", () => {
    expect(hostNameToken.parse("misato")).toBe("misato");
    for (const bad of ["../etc", "10.0.0.1", "Misato", "a;b", "@k3s", "all,nas", ""]) expect(problemOf(hostNameToken, bad)).toBe(HOST);
  });

  it("a selector: a name, a @tag, a,b or all", () => {
    for (const good of ["misato", "@k3s", "misato,nas", "all"]) expect(selectorToken.parse(good)).toBe(good);
    for (const bad of ["../etc", "127.0.0.1", "@", "misato,", "$(id)"]) expect(problemOf(selectorToken, bad)).toBe(SELECTOR);
  });

  it("a git ref: git's own syntax is refused with the reason", () => {
    expect(refToken.parse("release/2026-11")).toBe("release/2026-11");
    expect(problemOf(refToken, "main..evil")).toBe('revision "main..evil" must not contain ".." (give one branch, tag or commit, not a range)');
    expect(problemOf(refToken, "--upload-pack=x")).toBe('revision "--upload-pack=x" must not start with "-"');
  });

  it("a job id: digits, with or without #", () => {
    expect([jobIdToken.parse("42"), jobIdToken.parse("#7")]).toEqual([42, 7]);
    for (const bad of ["x", "-1", "1e3", "1234567890", "#"]) expect(problemOf(jobIdToken, bad)).toBe(JOB_ID);
  });
});

describe("deploy arguments", () => {
  it("read a selector, an optional ref and one action flag", () => {
    expect(deployArgs.parse(["misato"])).toEqual({ selector: "misato", action: "switch" });
    expect(deployArgs.parse(["@k3s", "v1.2", "--dry-run"])).toEqual({ selector: "@k3s", ref: "v1.2", action: "dry-activate" });
    expect(deployArgs.parse(["all", "--dry-activate"])).toEqual({ selector: "all", action: "dry-activate" });
    expect(deployArgs.parse(["a,b", "--boot"])).toEqual({ selector: "a,b", action: "boot" });
    expect(deployArgs.parse(["nas", "--test"])).toEqual({ selector: "nas", action: "test" });
    expect(deployArgs.parse(["nas", "--switch"])).toEqual({ selector: "nas", action: "switch" });
  });

  it("refuse options, word counts, selectors and refs with exact messages", () => {
    expect(problemOf(deployArgs, ["misato", "--force"])).toBe("unknown option --force (use --dry-run, --boot, --test or --switch)");
    expect(problemOf(deployArgs, ["misato", "--boot", "--test"])).toBe("give at most one of --dry-run, --boot, --test, --switch");
    expect(problemOf(deployArgs, [])).toBe("expected a host (or @tag, a,b, all) and optionally a git ref");
    expect(problemOf(deployArgs, ["a", "b", "c"])).toBe("expected a host (or @tag, a,b, all) and optionally a git ref");
    expect(problemOf(deployArgs, ["../etc"])).toBe(SELECTOR);
    expect(problemOf(deployArgs, ["../etc", "main..x"])).toBe(SELECTOR);
    expect(problemOf(deployArgs, ["misato", "main~1"])).toBe('revision "main~1" must not contain "~" or "^" (give the commit itself)');
  });
});

describe("commands refuse a bad host word with the one shared message", () => {
  it.each([
    ["!rollback ../etc", `${HOST}. Usage: !rollback <host> [generation]`],
    ["!lock ../etc testing", `${HOST}. Usage: !lock <host> <reason...>`],
    ["!unlock ../etc", `${HOST}. Usage: !unlock <host>`],
    ["!wake ../etc", `${HOST}. Usage: !wake <host>`],
    ["!reboot ../etc", `${HOST}. Usage: !reboot <host>`],
    ["!shutdown ../etc", `${HOST}. Usage: !shutdown <host>`],
    ["!status ../etc", `${SELECTOR}. Usage: !status [host|@tag|a,b|all]`],
    ["!cancel abc", `${JOB_ID}, or nothing. Usage: !cancel [job id]`],
  ])("%s", (body, text) => {
    expect(replyTo(body, 4)).toBe(text);
  });
});
