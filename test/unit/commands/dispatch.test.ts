import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Level } from "../../../domain/levels.ts";
import { defineCommand, ok, text, type CommandContext, type Output } from "../../../commands/core/types.ts";
import { noArgs } from "../../../commands/core/args.ts";
import { createAuditLog } from "../../../storage/audit-log.ts";
import { makeContext } from "./make-context.ts";

function context(level: Level, extra: Partial<CommandContext> = {}): CommandContext {
  const { ctx, db } = makeContext(level, extra);
  const audit = createAuditLog(db);
  for (let i = 0; i < 3; i++) audit.record({ at: 0, roomId: "!r", eventId: null, sender: `@u${i}:x`, text: "!ping", level: 1, command: "ping", decision: "allowed", outcome: "ok" });
  return { ...ctx, audit, ...extra };
}

async function reply(body: string, level: Level, extra?: Partial<CommandContext>): Promise<{ decision: string; text: string; output?: Output }> {
  const prepared = prepareCommand(body, context(level, extra), () => {});
  if (prepared.decision === "ignored") return { decision: "ignored", text: "" };
  const output = prepared.decision === "allowed" ? (await prepared.run()).output : prepared.output;
  const text = output.blocks.map((b) => (b.kind === "text" ? b.text : JSON.stringify(b))).join("\n");
  return { decision: prepared.decision, text, output };
}

describe("dispatcher", () => {
  it("runs an allowed command", async () => {
    expect(await reply("!ping", 1)).toMatchObject({ decision: "allowed", text: "pong" });
  });

  it("denies below the level, naming both levels", async () => {
    expect(await reply("!ping", 0)).toMatchObject({ decision: "denied", text: "!ping needs level 1 (communication); you have 0 (unknown)." });
    expect(await reply("!audit", 3)).toMatchObject({ decision: "denied", text: "!audit needs level 4 (admin); you have 3 (deployer)." });
  });

  it("names the level the requested deploy needs: 3 for a real one, 2 for a dry run", async () => {
    expect(await reply("!deploy misato", 1)).toMatchObject({ decision: "denied", text: "!deploy misato needs level 3 (deployer); you have 1 (communication)." });
    expect(await reply("!deploy misato --boot", 2)).toMatchObject({ decision: "denied", text: "!deploy misato --boot needs level 3 (deployer); you have 2 (contributor)." });
    expect(await reply("!deploy misato --dry-run", 1)).toMatchObject({ decision: "denied", text: "!deploy misato --dry-run needs level 2 (contributor); you have 1 (communication)." });
    // Arguments that don't parse say nothing about the level beyond the command's own.
    expect(await reply("!deploy", 1)).toMatchObject({ decision: "denied", text: "!deploy needs level 2 (contributor); you have 1 (communication)." });
    expect(await reply("!deploy misato --dry-run", 2)).toMatchObject({ decision: "allowed" });
  });

  it("repeats at most 80 characters of an unknown command name", async () => {
    const name = "a".repeat(60_000);
    const prepared = prepareCommand(`!${name}`, context(4), () => {});
    if (prepared.decision !== "invalid") throw new Error(prepared.decision);
    expect(prepared.command).toBe(`${"a".repeat(79)}…`);
    expect(prepared.output.blocks).toEqual([{ kind: "text", text: `unknown command !${"a".repeat(79)}… — try !help` }]);
  });

  it("suggests the closest command for a typo", async () => {
    expect(await reply("!hots", 1)).toMatchObject({ decision: "invalid", text: "unknown command !hots — did you mean !hosts?" });
    expect(await reply("!zzzzzz", 1)).toMatchObject({ decision: "invalid", text: "unknown command !zzzzzz — try !help" });
  });

  it("answers wrong arguments with the usage", async () => {
    expect(await reply("!ping now", 1)).toMatchObject({ decision: "invalid", text: "this command takes no arguments. Usage: !ping" });
    expect(await reply("!audit lots", 4)).toMatchObject({ decision: "invalid", text: "expected a number of rows from 1 to 100. Usage: !audit [n]" });
    expect(await reply("!audit 1 2", 4)).toMatchObject({ decision: "invalid", text: "expected at most one argument. Usage: !audit [n]" });
  });

  it("checks access before reading arguments, so the denied learn nothing about usage", async () => {
    expect(await reply("!audit lots", 1)).toMatchObject({ decision: "denied" });
  });

  it("shows in help only what the caller may run", async () => {
    const unknown = await reply("!help", 0);
    expect(unknown.text).toContain("!whoami");
    expect(unknown.text).not.toContain("!ping");
    const admin = await reply("!help", 4);
    expect(admin.text).toContain("!audit [n]");
    expect(await reply("!help audit", 1)).toMatchObject({ text: "!audit [n] — show the last n commands magi received, who sent them and what happened. Needs level 4 (admin). You have level 1 (communication), so you can't run it." });
  });

  it("shows whoami, hosts and audit", async () => {
    expect((await reply("!whoami", 3)).text).toBe("You are @dan:example.org, level 3 (deployer) in this room.");
    expect((await reply("!hosts", 1)).text).toContain('["misato","10.0.0.11","@k3s @prod","not pinned (!enroll)"]');
    expect((await reply("!audit 2", 4)).output?.blocks[0]).toMatchObject({ kind: "table", rows: [expect.any(Array), expect.any(Array)] });
  });

  it("turns an unexpected error into an id, logged once", async () => {
    const boom = defineCommand({ name: "boom", aliases: [], summary: "", usage: "boom", minLevel: 0, uses: [], args: noArgs, run: (): Output => { throw new Error("secret detail"); } });
    const logged: string[] = [];
    const prepared = prepareCommand("!boom", context(1, { commands: [boom] }), (id) => logged.push(id));
    if (prepared.decision !== "allowed") throw new Error("expected allowed");
    const result = await prepared.run();
    expect(logged).toEqual([result.errorId]);
    expect(JSON.stringify(result.output)).toContain(`error id ${result.errorId}`);
    expect(JSON.stringify(result.output)).not.toContain("secret detail");
    expect(ok(text("x")).ok).toBe(true);
  });
});

describe("!cancel without a job id", () => {
  it("calls off the caller's newest pending request in the room, and says when there is none", async () => {
    const { ctx, approvals, calls } = makeContext(3);
    const none = prepareCommand("!cancel", ctx, () => {});
    if (none.decision !== "allowed") throw new Error("expected allowed");
    expect((await none.run()).output.blocks).toEqual([{ kind: "text", text: "you have no request waiting for approval here; to cancel a job, give its id (!jobs lists them)" }]);
    const target = { roomId: ctx.roomId, eventId: "$cmd", msgtype: "m.text" as const };
    const policy = { approvals: 1, minLevel: 3 as const, self: "forbidden" as const, expiresMs: 60_000 };
    await approvals.request(target, { auditId: 0, requester: ctx.caller.userId, text: "!deploy misato", work: "deploy (switch) misato at abc", policy });
    const cancel = prepareCommand("!cancel", ctx, () => {});
    if (cancel.decision !== "allowed") throw new Error("expected allowed");
    expect((await cancel.run()).output.blocks).toEqual([{ kind: "text", text: "Called off: deploy (switch) misato at abc. Nothing was run." }]);
    expect(calls).toContain("edit prompt");
    const again = prepareCommand("!cancel", ctx, () => {});
    if (again.decision !== "allowed") throw new Error("expected allowed");
    expect((await again.run()).output.ok).toBe(false);
  });

  it("hands a deploy the commit its approval check resolved when no approval is needed, resolving the ref once", async () => {
    const sha = "c0ffee".padEnd(40, "0");
    const resolved: (string | undefined)[] = [];
    const deploys = {
      configured: true,
      resolve: async (ref: string | undefined) => (resolved.push(ref), { ok: true as const, sha, subject: "bump nixpkgs" }),
      deploy: async () => ({ ok: true, summary: "deployed" }),
    } as unknown as CommandContext["deploys"];
    const prepared = prepareCommand("!deploy misato main", context(3, { deploys, policyFor: () => undefined }), () => {});
    if (prepared.decision !== "allowed" || !prepared.checkApproval) throw new Error("expected an approval check");
    const check = await prepared.checkApproval();
    expect(check).toEqual({ kind: "none", binding: { sha, subject: "bump nixpkgs" } });
    const { output } = await prepared.run(check.kind === "none" ? { binding: check.binding } : {});
    expect(output.blocks[0]).toEqual({ kind: "text", text: `deploying ${sha.slice(0, 12)} "bump nixpkgs" (switch) to misato` });
    expect(resolved).toEqual(["main"]);
  });
});
