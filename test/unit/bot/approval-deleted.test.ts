import { describe, expect, it } from "vitest";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import { BOT, createApprovalHarness } from "./approval-harness.ts";

const DAN = "@dan:example.org";
const KIM = "@kim:example.org";
const BOSS = "@boss:example.org";
const LEVELS = { [DAN]: 3, [KIM]: 3, [BOSS]: 4, [BOT]: 4 } as const;
const policy = (p: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({ approvals: 1, minLevel: 3, self: "forbidden", expiresMs: 15 * 60_000, ...p });
const outcomeOf = (h: ReturnType<typeof createApprovalHarness>, auditId: number) => h.audit.recent(20).find((r) => r.id === auditId)?.outcome;

describe("approval requests whose command is deleted", () => {
  it("are called off when the requester deletes the command: the prompt says so, the audit row is completed, a later 👍 runs nothing", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt, auditId, commandEventId } = await h.request(DAN, policy());
    await h.redact(commandEventId, DAN);
    expect(h.state(id)).toBe("cancelled");
    expect(h.edits.at(-1)).toEqual({ eventId: prompt, text: "🚫 deploy misato: called off: the request was deleted by @dan:example.org. Nothing was run." });
    expect(outcomeOf(h, auditId)).toBe("called off: the request was deleted by @dan:example.org before approval; not run");
    await h.react(KIM, prompt, "👍");
    expect(h.runs).toHaveLength(0);
    expect(h.audit.recent(1)[0]).toMatchObject({ sender: KIM, outcome: "ignored: request already cancelled" });
  });

  it("are called off when a room moderator deletes the command, naming the moderator; others' redactions change nothing", async () => {
    const h = createApprovalHarness(LEVELS, undefined, [BOSS]);
    const { id, prompt, commandEventId } = await h.request(DAN, policy());
    await h.redact(commandEventId, KIM);
    expect(h.state(id)).toBe("pending");
    await h.redact(commandEventId, BOSS);
    expect(h.state(id)).toBe("cancelled");
    expect(h.edits.at(-1)?.text).toBe("🚫 deploy misato: called off: the request was deleted by @boss:example.org. Nothing was run.");
    await h.react(KIM, prompt, "👍");
    expect(h.runs).toHaveLength(0);
  });

  it("are called off as they are made when the command was deleted while its approval check ran", async () => {
    const h = createApprovalHarness(LEVELS);
    await h.redact("$slow-deploy", DAN);
    const { id, prompt, auditId } = await h.request(DAN, policy(), "deploy misato", "$slow-deploy");
    expect(h.state(id)).toBe("cancelled");
    expect(h.posted.at(-1)?.blocks[0]).toMatchObject({ text: "🚫 deploy misato: called off: the request was deleted by @dan:example.org. Nothing was run." });
    expect(outcomeOf(h, auditId)).toBe("called off: the request was deleted by @dan:example.org before approval; not run");
    await h.react(KIM, prompt, "👍");
    expect(h.runs).toHaveLength(0);
  });

  it("stay as decided once approved, and a deletion elsewhere or of another event calls nothing off", async () => {
    const h = createApprovalHarness(LEVELS);
    const done = await h.request(DAN, policy());
    await h.react(KIM, done.prompt, "👍");
    await h.redact(done.commandEventId, DAN);
    expect(h.state(done.id)).toBe("approved");
    expect(h.runs).toHaveLength(1);
    const open = await h.request(DAN, policy());
    await h.flow.onRedaction("!other:example.org", open.commandEventId, DAN);
    await h.redact("$unrelated", DAN);
    expect(h.state(open.id)).toBe("pending");
  });
});
