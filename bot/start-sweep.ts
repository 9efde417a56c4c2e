// Runs a flush that brings the room up to date with a store: at start, on every nudge and every 10 s, one at a time.
import type { Logger } from "pino";

const SWEEP_MS = 10_000;

// Starts the sweep; a nudge during a flush runs another one after it, so no change waits for the next sweep.
export function startSweep(flush: () => Promise<void>, log: Logger, what: string) {
  let running: Promise<void> | undefined;
  let again = false;
  const nudge = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = flush().catch((e: Error) => log.error({ err: e }, `${what} failed`)).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        nudge();
      }
    });
  };
  const timer = setInterval(nudge, SWEEP_MS);
  timer.unref();
  nudge();
  return {
    nudge,
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}
