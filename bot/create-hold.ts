// Waits for a burst of nudges to pause before acting once for all of them, but never longer than a bound.
export interface HoldTimes {
  // Act once no nudge has come for this long...
  quietMs: number;
  // ...or this long after the first nudge not yet acted on, however long the burst lasts.
  maxMs: number;
}

// A hold over act: nudge() arms it, cancel() drops what it holds. A nudge only notes its time (nudges come once per
// request in a burst); the one timer, when it fires early, waits out the rest.
export function createHold(times: HoldTimes, act: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let heldSince: number | undefined;
  let lastNudge = 0;
  const fire = () => {
    const due = Math.min(lastNudge + times.quietMs, heldSince! + times.maxMs);
    const now = Date.now();
    if (now < due) {
      timer = setTimeout(fire, due - now);
      return;
    }
    timer = undefined;
    heldSince = undefined;
    act();
  };
  return {
    nudge(): void {
      lastNudge = Date.now();
      heldSince ??= lastNudge;
      timer ??= setTimeout(fire, Math.min(times.quietMs, times.maxMs));
    },
    cancel(): void {
      clearTimeout(timer);
      timer = undefined;
      heldSince = undefined;
    },
  };
}
