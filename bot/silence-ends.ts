// Takes a silence's line off the alert messages that show it once the silence ends: one timer at the soonest stored
// end time, computed again from the stored rows at start and whenever a silence is made or expired, so ends that
// passed while magi was down are shown at start.
import type { Logger } from "pino";
import type { SilenceStore } from "../storage/silence-store.ts";

// The longest sleep: a clock that jumps (suspend, NTP) is noticed within this.
const MAX_SLEEP_MS = 3_600_000;
// How soon a failed pass (a busy or closed database) is tried again.
const RETRY_MS = 30_000;

// Starts the timer; show(groupId) renders a group's message anew without the ended silence.
export function startSilenceEnds(deps: { silences: SilenceStore; show(groupId: number): void; now(): number; log: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // Marks every silence whose end has passed as ended at its end time, shows that, and sleeps until the next end.
  const check = (): void => {
    clearTimeout(timer);
    if (stopped) return;
    let wait: number | undefined;
    try {
      for (const silence of deps.silences.due(deps.now())) {
        deps.silences.markExpired(silence.silenceId, silence.endsAt);
        const groups = deps.silences.groupsOf(silence.silenceId);
        groups.forEach(deps.show);
        deps.log.info({ silenceId: silence.silenceId, groups }, "silence ended");
      }
      const next = deps.silences.nextEnd();
      // A few ms past the end, so the silence no longer counts when the check runs.
      if (next !== undefined) wait = Math.min(MAX_SLEEP_MS, Math.max(0, next - deps.now()) + 5);
    } catch (error) {
      deps.log.error({ err: error }, "could not show the end of a silence; trying again");
      wait = RETRY_MS;
    }
    if (wait === undefined) return;
    timer = setTimeout(check, wait);
    timer.unref();
  };
  check();
  return {
    // Looks again (a silence was made or expired).
    rearm: check,
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
