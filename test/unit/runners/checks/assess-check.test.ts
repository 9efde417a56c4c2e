// The dead-man's-switch state machine over stored facts and a fake clock, and the messages its transitions post.
// Run alone: npx vitest run test/unit/runners/checks/assess-check.test.ts
import { describe, expect, it } from "vitest";
import { applyPing, type PingFacts } from "../../../../runners/checks/apply-ping.ts";
import { assessCheck } from "../../../../runners/checks/assess-check.ts";
import { describeTransition } from "../../../../runners/checks/describe-transition.ts";
import { parseSchedule } from "../../../../runners/checks/schedule.ts";
import type { CheckRecord, CheckSpec } from "../../../../runners/checks/types.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
// Tue 2026-11-24 00:00 UTC.
const T0 = Date.UTC(2026, 10, 24, 0, 0);

const daily: CheckSpec = { name: "backup-nas", uuid: undefined, slug: "backup-nas", schedule: parseSchedule("0 2 * * *", "Europe/Berlin"), graceMs: HOUR, room: "!r:x", hosts: [] };
const fast: CheckSpec = { ...daily, name: "tick", schedule: parseSchedule("5s", "UTC"), graceMs: 3000 };

const fresh = (createdAt: number): CheckRecord => ({
  createdAt, pausedAt: null, resumedAt: null, lastPingAt: null, startedAt: null, startedRid: null,
  lastSuccessAt: null, lastFailAt: null, lastExit: null, lastDurationMs: null, announced: "none",
});

// Applies pings in order, the way the store does (rid starts looked up among earlier pings).
function replay(record: CheckRecord, pings: PingFacts[]): CheckRecord {
  const starts = new Map<string, number>();
  for (const ping of pings) {
    record = applyPing(record, ping, ping.rid ? starts.get(ping.rid) : undefined).record;
    if (ping.kind === "start" && ping.rid) starts.set(ping.rid, ping.at);
  }
  return record;
}
const ping = (at: number, kind: PingFacts["kind"], extra: Partial<PingFacts> = {}): PingFacts => ({ at, kind, exit: null, rid: null, ...extra });

describe("assessCheck", () => {
  it("walks a check nobody pings from new to late to down, each at its instant", () => {
    const r = fresh(T0);
    expect(assessCheck(fast, r, T0 + 4999)).toMatchObject({ state: "new", nextChangeAt: T0 + 5000 });
    expect(assessCheck(fast, r, T0 + 5000)).toMatchObject({ state: "late", nextChangeAt: T0 + 8000 });
    expect(assessCheck(fast, r, T0 + 8000)).toMatchObject({ state: "down", reason: "overdue" });
  });

  it("counts a cron schedule in its time zone: 02:00 Berlin is 01:00 UTC in November", () => {
    const r = replay(fresh(T0 - 48 * HOUR), [ping(T0 - 22 * HOUR, "success")]);
    const due = Date.UTC(2026, 10, 24, 1, 0);
    expect(assessCheck(daily, r, due - 1)).toMatchObject({ state: "up", expectedAt: due, nextChangeAt: due });
    expect(assessCheck(daily, r, due + 30 * MIN).state).toBe("late");
    expect(assessCheck(daily, r, due + HOUR).state).toBe("down");
  });

  it("is down at once on a failure, and up again on the next success with the run's duration", () => {
    let r = replay(fresh(T0), [ping(T0 + 1000, "start"), ping(T0 + 3000, "fail", { exit: 2 })]);
    expect(assessCheck(fast, r, T0 + 3001)).toMatchObject({ state: "down", reason: "failed" });
    expect(r).toMatchObject({ lastExit: 2, lastDurationMs: 2000, startedAt: null });
    r = replay(r, [ping(T0 + 4000, "start"), ping(T0 + 4500, "success")]);
    expect(assessCheck(fast, r, T0 + 4501)).toMatchObject({ state: "up", expectedAt: T0 + 9500 });
    expect(r.lastDurationMs).toBe(500);
  });

  it("takes a run that started and did not finish within grace down, and holds it at late until then", () => {
    const r = replay(fresh(T0), [ping(T0 + 4000, "start")]);
    expect(assessCheck(fast, r, T0 + 6000)).toMatchObject({ state: "late", nextChangeAt: T0 + 7000 });
    expect(assessCheck(fast, r, T0 + 7000)).toMatchObject({ state: "down", reason: "overrun" });
  });

  it("pairs a finish with its own start by rid, and leaves another run open", () => {
    const r = replay(fresh(T0), [ping(T0, "start", { rid: "a" }), ping(T0 + 100, "start", { rid: "b" }), ping(T0 + 1000, "success", { rid: "a" })]);
    expect(r).toMatchObject({ lastDurationMs: 1000, startedAt: T0 + 100, startedRid: "b" });
  });

  it("ignores /log pings for state, and keeps a paused check paused whatever the clock says", () => {
    const r = replay(fresh(T0), [ping(T0 + 1000, "log")]);
    expect(assessCheck(fast, r, T0 + 4000).state).toBe("new");
    expect(assessCheck(fast, { ...r, pausedAt: T0 + 2000 }, T0 + 60_000)).toEqual({ state: "paused" });
  });

  it("counts from a resume, so a resumed check is not down at once", () => {
    const r = { ...fresh(T0), resumedAt: T0 + 60_000 };
    expect(assessCheck(fast, r, T0 + 61_000).state).toBe("new");
    expect(assessCheck(fast, r, T0 + 65_000).state).toBe("late");
  });
});

describe("describeTransition", () => {
  it("announces down once, then nothing while the room knows, then up again once", () => {
    const r = fresh(T0);
    const down = describeTransition(fast, r, assessCheck(fast, r, T0 + 9000), undefined);
    expect(down).toEqual({ announced: "down", text: "tick is DOWN: no successful run yet (watched since Tue 00:00 UTC; expected every 5 s, grace 3 s)" });
    const known = { ...r, announced: "down" as const };
    expect(describeTransition(fast, known, assessCheck(fast, known, T0 + 20_000), undefined)).toBeUndefined();
    const up = replay(known, [ping(T0 + 21_000, "start"), ping(T0 + 21_000 + 12 * MIN, "success")]);
    expect(describeTransition(fast, up, assessCheck(fast, up, T0 + 21_000 + 12 * MIN), undefined)).toEqual({ announced: "none", text: "tick is up again: run took 12 min" });
    expect(describeTransition(fast, r, assessCheck(fast, r, T0 + 6000), undefined)).toBeUndefined();
  });

  it("says when the last success was, in the schedule's words and zone", () => {
    // Mon 02:13 in Berlin is 01:13 UTC.
    const r = replay(fresh(T0 - 48 * HOUR), [ping(T0 - 23 * HOUR + 13 * MIN, "success")]);
    expect(describeTransition(daily, r, assessCheck(daily, r, T0 + 2 * HOUR), undefined)?.text)
      .toBe("backup-nas is DOWN: no successful run since Mon 02:13 (expected daily at 02:00 Europe/Berlin, grace 1 h)");
  });

  it("quotes the last lines of a failed run's body, and posts a repeated failure only once", () => {
    const r = replay(fresh(T0), [ping(T0, "start"), ping(T0 + 14 * MIN, "fail", { exit: 2 })]);
    const body = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const failed = describeTransition(daily, r, assessCheck(daily, r, T0 + 15 * MIN), body);
    expect(failed).toEqual({ announced: "down", text: "backup-nas failed (exit 2) after 14 min:", excerpt: Array.from({ length: 10 }, (_, i) => `line ${i + 21}`).join("\n") });
    const again = replay({ ...r, announced: "down" }, [ping(T0 + 20 * MIN, "fail", { exit: 2 })]);
    expect(describeTransition(daily, again, assessCheck(daily, again, T0 + 21 * MIN), body)).toBeUndefined();
  });
});
