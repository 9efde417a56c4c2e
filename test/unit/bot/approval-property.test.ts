import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApprovalPolicy } from "../../../commands/core/approval-policy.ts";
import type { Level } from "../../../domain/levels.ts";
import { readVote } from "../../../commands/core/reaction-keys.ts";
import { BOT, createApprovalHarness } from "./approval-harness.ts";
import { createApprovalModel, mayApprove } from "./approval-model.ts";

// How many random scenarios to try; FC_RUNS=5000 for a longer hunt.
const RUNS = Number(process.env.FC_RUNS ?? 500);
const USERS = ["@ann:example.org", "@ben:example.org", "@cat:example.org", "@dee:example.org", BOT];
const KEYS: [string, string | undefined][] = [["👍", undefined], ["👍🏿", undefined], ["✅\uFE0F", undefined], ["❌", undefined], ["👎🏽", undefined], ["🎉", undefined], ["mxc://example.org/party", ":partyparrot:"], ["mxc://example.org/thumb", ":+1::skin-tone-2:"]];
// The one user the room's power levels let redact other people's events.
const MODERATOR = "@dee:example.org";
const MIN = 60_000;

// Mostly people who may approve, so that approvals actually happen.
const level = fc.constantFrom<Level>(0, 2, 3, 3, 4, 4);
const policy: fc.Arbitrary<ApprovalPolicy> = fc
  .record({ approvals: fc.integer({ min: 1, max: 3 }), minLevel: fc.constantFrom<Level>(1, 3, 3, 4), self: fc.constantFrom("forbidden" as const, "allowed" as const, "only" as const), expiresMs: fc.constantFrom(MIN, 5 * MIN, 15 * MIN) })
  .map((p) => (p.self === "only" ? { ...p, approvals: 1 } : p));
const user = fc.nat({ max: USERS.length - 1 });
// Mostly approvals: a ❌ ends a request at once, and non-votes only need to show up now and then.
const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 7) }, { weight: 1, arbitrary: fc.constantFrom(3, 4) }, { weight: 2, arbitrary: fc.constantFrom(5, 6) });
// Mostly short steps, so requests live through several events; sometimes straight past (or exactly to) expiry.
const step = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 2 * MIN }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 * MIN }) }, { weight: 1, arbitrary: fc.constantFrom(MIN - 1, MIN, 5 * MIN) });
const op = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant("request" as const), requester: fc.nat({ max: 3 }), policy }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant("react" as const), request: fc.nat(), user, key }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("redeliver" as const), reaction: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("redact" as const), reaction: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: step }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("sweep" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("restart" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("delete" as const), request: fc.nat(), user }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("burst" as const), request: fc.nat(), users: fc.array(user, { minLength: 2, maxLength: 4 }), key }) },
);
const scenario = fc.record({ levels: fc.array(level, { minLength: 4, maxLength: 4 }), first: fc.record({ requester: fc.nat({ max: 3 }), policy }), ops: fc.array(op, { maxLength: 40, size: "max" }) });

type Reaction = { request: number; sender: string; id: string; key: number };
// Redactions and redeliveries pick among the last few reactions, so they often meet the same one.
const recent = (reactions: Reaction[], back: number) => reactions[reactions.length - 1 - (back % reactions.length)]!;

describe("approval flow, property-based", () => {
  it("runs each request at most once, never after expiry, only with enough eligible approvers, and agrees with the model", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ levels, first, ops }) => {
        const levelOf = (u: string): Level => (u === BOT ? 4 : levels[USERS.indexOf(u)] ?? 0);
        const h = createApprovalHarness(Object.fromEntries(USERS.map((u) => [u, levelOf(u)])), undefined, [MODERATOR]);
        const model = createApprovalModel(BOT, levelOf);
        const ids: { id: number; prompt: string; commandEventId: string }[] = [];
        const reactions: Reaction[] = [];
        const request = async (requester: number, p: ApprovalPolicy) => {
          model.request(USERS[requester]!, p, h.now());
          ids.push(await h.request(USERS[requester]!, p));
        };
        const deliver = (r: Reaction) => {
          const [key, shortcode] = KEYS[r.key]!;
          model.react(r.request, r.sender, r.id, readVote(key, shortcode), h.now());
          return h.react(r.sender, ids[r.request]!.prompt, key, r.id, shortcode);
        };
        await request(first.requester, first.policy);
        for (const o of ops) {
          if (o.t === "request") await request(o.requester, o.policy);
          else if (o.t === "react" || o.t === "burst") {
            const senders = o.t === "react" ? [o.user] : o.users;
            const batch = senders.map((u, j) => ({ request: o.request % ids.length, sender: USERS[u]!, id: `$r${reactions.length + j}`, key: o.key }));
            reactions.push(...batch);
            // A burst is delivered concurrently; the flow must still take one decision per request.
            await Promise.all(batch.map(deliver));
          } else if (o.t === "redeliver" && reactions.length > 0) await deliver(recent(reactions, o.reaction));
          else if (o.t === "redact") {
            const target = reactions.length > 0 ? recent(reactions, o.reaction).id : "$never-seen";
            model.redact(target, h.now());
            await h.redact(target);
          } else if (o.t === "advance") h.advance(o.ms);
          else if (o.t === "sweep") (model.sweep(h.now()), await h.sweep());
          else if (o.t === "restart") h.restart();
          else if (o.t === "delete") {
            const index = o.request % ids.length;
            model.deleteCommand(index, USERS[o.user]!, USERS[o.user] === MODERATOR);
            await h.redact(ids[index]!.commandEventId, USERS[o.user]!);
          }
        }
        h.advance(16 * MIN);
        model.sweep(h.now());
        await h.sweep();

        const runsPer = new Map<number, number>();
        for (const run of h.runs) {
          runsPer.set(run.approval.id, (runsPer.get(run.approval.id) ?? 0) + 1);
          expect(run.at).toBeLessThan(run.approval.expiresAt);
          const { policy: p, requester } = run.approval;
          expect(new Set(run.approvers).size).toBe(run.approvers.length);
          expect(run.approvers.length).toBeGreaterThanOrEqual(p.approvals);
          for (const voter of run.approvers) expect(mayApprove(p, requester, voter, levelOf(voter), BOT), `${voter} approved`).toBe(true);
        }
        expect([...runsPer.values()].every((n) => n === 1)).toBe(true);
        ids.forEach(({ id }, i) => {
          expect(h.state(id), `request ${i}`).toBe(model.requests[i]!.state);
          expect(runsPer.has(id)).toBe(model.requests[i]!.state === "approved");
        });
      }),
      { numRuns: RUNS },
    );
  }, 10_000 + RUNS * 10);
});
