// A problem's track over rounds, with a fake clock: confirmed after N rounds in a row, blips forgotten, unknown
// rounds neutral. Run alone: npx vitest run test/unit/runners/schedules/track.test.ts
import { describe, expect, it } from "vitest";
import { advanceTrack, type Sighting, type Track, type Transition } from "../../../../runners/schedules/track.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 14, 2);
const down: Sighting = { present: true, detail: "connection refused" };
const up: Sighting = { present: false };
const unknown: Sighting = { present: "unknown" };

// Feeds one sighting a minute from T0 and collects the transitions, as the rounds of a schedule would.
function run(sightings: Sighting[], confirmAfter = 2): { transitions: Transition[]; track: Track | undefined } {
  let track: Track | undefined;
  const transitions: Transition[] = [];
  sightings.forEach((seen, i) => {
    const step = advanceTrack(track, seen, T0 + i * MIN, confirmAfter);
    track = step.track;
    if (step.transition) transitions.push(step.transition);
  });
  return { transitions, track };
}

describe("advanceTrack", () => {
  it("confirms a problem on the Nth round in a row, dated from the first, and only once", () => {
    const { transitions, track } = run([up, down, down, down, down]);
    expect(transitions).toEqual([{ kind: "problem", since: T0 + MIN, rounds: 2, detail: "connection refused" }]);
    expect(track).toMatchObject({ confirmed: true, streak: 0, problemSince: T0 + MIN });
  });

  it("forgets a blip shorter than N rounds and posts nothing", () => {
    const { transitions, track } = run([down, up, down, up, up], 2);
    expect(transitions).toEqual([]);
    expect(track).toBeUndefined();
  });

  it("recovers after N good rounds in a row, measuring from the problem's start to the first good round", () => {
    const { transitions, track } = run([down, down, down, up, down, up, up, up]);
    expect(transitions).toEqual([
      { kind: "problem", since: T0, rounds: 2, detail: "connection refused" },
      { kind: "recovered", problemSince: T0, backSince: T0 + 5 * MIN, detail: "connection refused" },
    ]);
    expect(track).toBeUndefined();
  });

  it("neither counts nor breaks a run on rounds that could not see the problem", () => {
    expect(run([down, unknown, down]).transitions).toEqual([{ kind: "problem", since: T0, rounds: 2, detail: "connection refused" }]);
    const confirmed = run([down, down, unknown, unknown, unknown]);
    expect(confirmed.transitions).toHaveLength(1);
    expect(confirmed.track?.confirmed).toBe(true);
  });

  it("confirms at once with confirm_after 1, and keeps the latest detail while counting", () => {
    expect(run([down], 1).transitions).toEqual([{ kind: "problem", since: T0, rounds: 1, detail: "connection refused" }]);
    const { transitions } = run([{ present: true, detail: "pool tank DEGRADED" }, { present: true, detail: "pool tank FAULTED" }], 2);
    expect(transitions).toEqual([{ kind: "problem", since: T0, rounds: 2, detail: "pool tank FAULTED" }]);
  });
});
