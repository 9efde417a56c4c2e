// How one watched problem on one host moves between "all well" and "confirmed", one round at a time. Pure: the
// store keeps the track, the clock is passed in, so every transition is unit-tested with plain numbers.

// What one round saw of a problem: there (with what it looked like), gone, or not knowable this round
// (the host did not answer, or the probe behind it failed), which neither counts for nor against it.
export type Sighting = { present: true; detail: string } | { present: false } | { present: "unknown" };

// A problem's remembered state: whether it is confirmed, and the run of rounds that contradict that so far.
export interface Track {
  confirmed: boolean;
  // Consecutive rounds that disagree with confirmed; 0 when the last round agreed.
  streak: number;
  // When that run began (the first round that disagreed), null without one.
  streakSince: number | null;
  // When the confirmed problem was first seen; null while unconfirmed.
  problemSince: number | null;
  // What the problem looked like when last seen (the message is written from it).
  detail: string;
}

// A change the room must hear of: a problem seen confirmAfter rounds in a row, or gone that long.
export type Transition =
  | { kind: "problem"; since: number; rounds: number; detail: string }
  | { kind: "recovered"; problemSince: number; backSince: number; detail: string };

// The track after one more round, or undefined when there is nothing left to remember; transition when it flips.
export function advanceTrack(track: Track | undefined, seen: Sighting, now: number, confirmAfter: number): { track: Track | undefined; transition?: Transition } {
  if (seen.present === "unknown") return { track };
  const current = track ?? { confirmed: false, streak: 0, streakSince: null, problemSince: null, detail: "" };
  const detail = seen.present ? seen.detail : current.detail;
  if (seen.present === current.confirmed) {
    // The round agrees with what the room was told: any run of disagreement was a blip.
    return { track: current.confirmed ? { ...current, streak: 0, streakSince: null, detail } : undefined };
  }
  const streak = current.streak + 1;
  const streakSince = current.streakSince ?? now;
  if (streak < confirmAfter) return { track: { ...current, streak, streakSince, detail } };
  if (seen.present) {
    return {
      track: { confirmed: true, streak: 0, streakSince: null, problemSince: streakSince, detail },
      transition: { kind: "problem", since: streakSince, rounds: streak, detail },
    };
  }
  return { track: undefined, transition: { kind: "recovered", problemSince: current.problemSince ?? streakSince, backSince: streakSince, detail } };
}
