import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import type { Level } from "../../../domain/levels.ts";
import type { VoteKind } from "../../../commands/core/reaction-keys.ts";
import { BOT, createApprovalHarness } from "./approval-harness.ts";
import { createApprovalModel } from "./approval-model.ts";

// How many random scenarios to try; FC_RUNS=5000 for a longer hunt.
const RUNS = Number(process.env.FC_RUNS ?? 300);
const USERS = ["@ann:example.org", "@ben:example.org", "@cat:example.org", "@dee:example.org", BOT];
const MIN = 60_000;

// What people mean by what they see, written from the prompt's instructions ("react 👍 or ✅ to approve, 👎 or ❌ to reject")
// and Slack's names for the same emoji; everything else is no vote.
const MEANS: Record<string, VoteKind> = {
  "👍": "approve", "✅": "approve", "✔": "approve", "☑": "approve", ":+1:": "approve", ":thumbsup:": "approve", ":white_check_mark:": "approve", ":heavy_check_mark:": "approve",
  "👎": "reject", "❌": "reject", "✖": "reject", ":-1:": "reject", ":thumbsdown:": "reject", ":x:": "reject",
};
const GLYPHS = ["👍", "✅", "✔", "☑", "👎", "❌", "✖", "🎉", "👀", "👌", "🇩🇪"];
const NAMES = [":+1:", ":thumbsup:", ":white_check_mark:", ":-1:", ":x:", ":tada:", ":partyparrot:", ":eyes:"];
const TONES = ["\u{1F3FB}", "\u{1F3FC}", "\u{1F3FD}", "\u{1F3FE}", "\u{1F3FF}"];

// A Slack-style shortcode, sometimes with its skin-tone suffix; shows as its name.
const shortcode = fc.record({ name: fc.constantFrom(...NAMES), tone: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }) }).map(({ name, tone }) => ({ text: tone ? `${name}:skin-tone-${tone}:` : name, shown: name }));
// A reaction as the bridge or a client sends it, and what a client draws for it.
const reaction = fc.oneof(
  // A Unicode emoji key, with or without U+FE0F and a skin tone: clients draw the emoji, whatever the shortcode says.
  fc.record({ glyph: fc.constantFrom(...GLYPHS), vs: fc.boolean(), tone: fc.option(fc.constantFrom(...TONES), { nil: undefined }), label: fc.option(shortcode, { nil: undefined }) })
    .map(({ glyph, vs, tone, label }) => ({ key: `${glyph}${tone ?? ""}${vs ? "\uFE0F" : ""}`, shortcode: label?.text, shown: glyph })),
  // A custom Slack emoji as an mxc:// image: clients draw the image, labelled by its shortcode.
  fc.record({ id: fc.constantFrom("ThumbsUp", "Party", "AbCd"), label: fc.option(shortcode, { nil: undefined }) })
    .map(({ id, label }) => ({ key: `mxc://example.org/${id}`, shortcode: label?.text, shown: label?.shown })),
  // A `:name:` text key: clients draw the text, whatever the shortcode says.
  fc.record({ name: shortcode, label: fc.option(shortcode, { nil: undefined }) }).map(({ name, label }) => ({ key: name.text, shortcode: label?.text, shown: name.shown })),
  // Plain text that only looks like a vote.
  fc.record({ text: fc.constantFrom("x", "+1", "thumbsup", "ok"), label: fc.option(shortcode, { nil: undefined }) }).map(({ text, label }) => ({ key: text, shortcode: label?.text, shown: text })),
);
const policy: fc.Arbitrary<ApprovalPolicy> = fc
  .record({ approvals: fc.integer({ min: 1, max: 4 }), minLevel: fc.constantFrom<Level>(1, 3, 4), self: fc.constantFrom("forbidden" as const, "allowed" as const, "only" as const), expiresMs: fc.constant(15 * MIN) })
  .map((p) => (p.self === "only" ? { ...p, approvals: 1 } : p));
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant("react" as const), user: fc.nat({ max: USERS.length - 1 }), reaction }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("redact" as const), back: fc.nat({ max: 3 }) }) },
);
const scenario = fc.record({ levels: fc.array(fc.constantFrom<Level>(0, 2, 3, 4), { minLength: 4, maxLength: 4 }), requester: fc.nat({ max: 3 }), policy, ops: fc.array(op, { maxLength: 25 }) });

const sorted = (votes: { reactionId: string; voter: string; kind: string }[]) => votes.map((v) => `${v.reactionId} ${v.voter} ${v.kind}`).sort();

describe("approval votes, property-based", () => {
  it("counts exactly what a client shows: the key normalised, the shortcode only for a custom emoji's image", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ levels, requester, policy: p, ops }) => {
        const levelOf = (u: string): Level => (u === BOT ? 4 : levels[USERS.indexOf(u)] ?? 0);
        const h = createApprovalHarness(Object.fromEntries(USERS.map((u) => [u, levelOf(u)])));
        const model = createApprovalModel(BOT, levelOf);
        model.request(USERS[requester]!, p, h.now());
        const { id, prompt } = await h.request(USERS[requester]!, p);
        const sent: string[] = [];
        for (const o of ops) {
          if (o.t === "react") {
            const reactionId = `$r${sent.push(`$r${sent.length}`) - 1}`;
            const kind = o.reaction.shown === undefined ? undefined : MEANS[o.reaction.shown];
            model.react(0, USERS[o.user]!, reactionId, kind, h.now());
            await h.react(USERS[o.user]!, prompt, o.reaction.key, reactionId, o.reaction.shortcode);
          } else if (sent.length > 0) {
            const target = sent[sent.length - 1 - (o.back % sent.length)]!;
            model.redact(target, h.now());
            await h.redact(target);
          }
          h.advance(1000);
          expect(sorted(h.store.get(id)!.votes)).toEqual(sorted(model.activeVotes(0)));
          expect(h.state(id)).toBe(model.requests[0]!.state);
        }
        expect(h.runs.length).toBe(model.requests[0]!.state === "approved" ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  }, 10_000 + RUNS * 10);
});
