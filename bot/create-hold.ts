// Waits for a burst of nudges to pause before acting once for all of them, but never longer than a bound.
export interface HoldTimes {
  // Act once no nudge has come for this long...
  quietMs: number;
  // ...or this long after the first nudge not yet acted on, however long the burst lasts.
  maxMs: number;
}

// A hold over act: nudge() (re)arms it, cancel() drops what it holds.
export function createHold(times: HoldTimes, act: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let heldSince: number | undefined;
  return {
    nudge(): void {
      const now = Date.now();
      heldSince ??= now;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        heldSince = undefined;
        act();
      }, Math.max(0, Math.min(times.quietMs, heldSince + times.maxMs - now)));
    },
    cancel(): void {
      clearTimeout(timer);
      timer = undefined;
      heldSince = undefined;
    },
  };
}
