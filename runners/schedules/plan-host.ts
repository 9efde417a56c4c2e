// One round's effect on one host's remembered problems: every key it remembers or sees now, advanced by one round.
import type { Observation } from "./observe-host.ts";
import { sightKey } from "./observe-host.ts";
import { advanceTrack, type Track, type Transition } from "./track.ts";

// What to store for a key (undefined: forget it), and the change to post, if any.
export interface KeyStep {
  key: string;
  track: Track | undefined;
  transition?: Transition;
}

// Advances every key of a host by one round; keys neither remembered nor seen are left out.
export function planHost(remembered: ReadonlyMap<string, Track>, observation: Observation, now: number, confirmAfter: number): KeyStep[] {
  const keys = [...new Set([...remembered.keys(), ...observation.problems.map((p) => p.key)])];
  return keys.map((key) => ({ key, ...advanceTrack(remembered.get(key), sightKey(observation, key), now, confirmAfter) }));
}
