import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { BOT, createApprovalHarness } from "./approval-harness.ts";

const DAN = "@dan:example.org";
const KIM = "@kim:example.org";
const PAT = "@pat:example.org";
const BOSS = "@boss:example.org";
const LEVELS = { [DAN]: 3, [KIM]: 3, [PAT]: 2, [BOSS]: 4, [BOT]: 4 } as const;
const MIN = 60_000;
const policy = (p: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({ approvals: 1, minLevel: 3, self: "forbidden", expiresMs: 15 * MIN, ...p });
const lastAudit = (h: ReturnType<typeof createApprovalHarness>) => h.audit.recent(1)[0];

describe("approval flow", () => {
  it("runs once when another deployer approves, and ignores later votes", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt, auditId } = await h.request(DAN, policy());
    expect(h.posted[0]?.blocks[0]).toMatchObject({ text: expect.stringContaining("deploy misato, requested by @dan:example.org") });
    expect(h.audit.recent(5).find((r) => r.id === auditId)?.outcome).toBe(`awaiting approval ${id}`);
    await h.react(KIM, prompt, "👍🏽");
    expect(h.runs.map((r) => [r.approval.id, r.approvers])).toEqual([[id, [KIM]]]);
    expect(h.state(id)).toBe("approved");
    expect(h.edits.at(-1)).toEqual({ eventId: prompt, text: "✅ deploy misato: approved by @kim:example.org. Done." });
    await h.react(BOSS, prompt, "✅");
    expect(h.runs).toHaveLength(1);
    expect(lastAudit(h)).toMatchObject({ sender: BOSS, decision: "denied", outcome: "ignored: request already approved" });
  });

  it("refuses the requester's own approval when policy forbids it, and audits it", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt } = await h.request(DAN, policy());
    await h.react(DAN, prompt, "👍");
    expect(h.runs).toHaveLength(0);
    expect(h.state(id)).toBe("pending");
    expect(lastAudit(h)).toMatchObject({ sender: DAN, decision: "denied", outcome: "ignored: the requester may not approve their own request" });
  });

  it("ignores and audits an approver below the policy's level", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt } = await h.request(DAN, policy());
    await h.react(PAT, prompt, "✅");
    expect(h.runs).toHaveLength(0);
    expect(h.state(id)).toBe("pending");
    expect(lastAudit(h)).toMatchObject({ sender: PAT, level: 2, decision: "denied", outcome: "ignored: approvers need level 3 (deployer); @pat:example.org has 2 (contributor)" });
  });

  it("ignores magi's own reaction, whatever its level", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt } = await h.request(DAN, policy({ self: "allowed" }));
    await h.react(BOT, prompt, "✅");
    expect(h.runs).toHaveLength(0);
    expect(h.state(id)).toBe("pending");
    expect(lastAudit(h)).toMatchObject({ sender: BOT, outcome: "ignored: magi's own reaction" });
  });

  it("withdraws a vote when its reaction is redacted while pending", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt } = await h.request(DAN, policy({ approvals: 2 }));
    const kims = await h.react(KIM, prompt, "👍");
    await h.redact(kims);
    await h.react(BOSS, prompt, "👍");
    expect(h.state(id)).toBe("pending");
    expect(h.store.get(id)?.votes.map((v) => v.voter)).toEqual([BOSS]);
    await h.react(KIM, prompt, ":+1:");
    expect(h.runs.map((r) => r.approvers)).toEqual([[BOSS, KIM]]);
    await h.redact(kims);
    expect(h.state(id)).toBe("approved");
  });

  it("doesn't bring a redacted vote back when its reaction is delivered again", async () => {
    const h = createApprovalHarness(LEVELS);
    const { id, prompt } = await h.request(DAN, policy({ approvals: 2 }));
    const kims = await h.react(KIM, prompt, "👍");
    await h.redact(kims);
    await h.react(BOSS, prompt, "👍");
    await h.react(KIM, prompt, "👍", kims);
    expect(h.state(id)).toBe("pending");
    expect(h.runs).toHaveLength(0);
  });

  it("expires by time: a sweep with a later clock ends it, and nothing runs", async () => {
    const h = createApprovalHarness(LEVELS);
    const first = await h.request(DAN, policy());
    h.advance(15 * MIN - 1);
    await h.sweep();
    expect(h.state(first.id)).toBe("pending");
    h.advance(1);
    await h.sweep();
    expect(h.state(first.id)).toBe("expired");
    expect(h.edits.at(-1)?.text).toBe("⌛ deploy misato: not approved within 15 min. Nothing was run.");
    expect(h.audit.recent(10).find((r) => r.id === first.auditId)?.outcome).toBe("approval expired; not run");
    const second = await h.request(DAN, policy());
    h.advance(20 * MIN);
    await h.react(KIM, second.prompt, "👍");
    expect(h.state(second.id)).toBe("expired");
    expect(h.runs).toHaveLength(0);
  });

  it("rejects on one ❌ from an eligible voter, or the requester calling it off", async () => {
    const h = createApprovalHarness(LEVELS);
    const a = await h.request(DAN, policy({ approvals: 2 }));
    await h.react(KIM, a.prompt, "👍");
    await h.react(BOSS, a.prompt, "❌");
    expect(h.state(a.id)).toBe("rejected");
    expect(h.audit.recent(10).find((r) => r.id === a.auditId)?.outcome).toBe("rejected by @boss:example.org; not run");
    await h.react(BOSS, a.prompt, "👍");
    const b = await h.request(DAN, policy());
    await h.react(DAN, b.prompt, "👎🏿");
    expect(h.state(b.id)).toBe("rejected");
    const c = await h.request(BOSS, policy({ self: "only", minLevel: 4 }));
    await h.react(KIM, c.prompt, "❌");
    await h.react(DAN, c.prompt, "✅");
    expect(h.state(c.id)).toBe("pending");
    await h.react(BOSS, c.prompt, "✅\uFE0F");
    expect(h.runs.map((r) => [r.approval.id, r.approvers])).toEqual([[c.id, [BOSS]]]);
  });

  it("still counts an approval after a restart between request and approval", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "magi-approvals-")), "magi.sqlite");
    const before = createApprovalHarness(LEVELS, openDatabase(path));
    const { id, prompt } = await before.request(DAN, policy());
    before.db.close();
    const after = createApprovalHarness(LEVELS, openDatabase(path));
    await after.react(KIM, prompt, "✅");
    expect(after.runs.map((r) => [r.approval.id, r.approvers])).toEqual([[id, [KIM]]]);
    after.restart();
    await after.react(BOSS, prompt, "✅");
    expect(after.runs).toHaveLength(1);
    after.db.close();
  });

  it("runs once for a reaction delivered twice, even at the same time", async () => {
    const h = createApprovalHarness(LEVELS);
    const { prompt } = await h.request(DAN, policy());
    await Promise.all([h.react(KIM, prompt, "👍", "$same"), h.react(KIM, prompt, "👍", "$same"), h.react(BOSS, prompt, "✅")]);
    await h.react(KIM, prompt, "👍", "$same");
    expect(h.runs).toHaveLength(1);
  });
});
