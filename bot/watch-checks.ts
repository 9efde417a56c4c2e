// Watches dead-man's-switch checks: computes each state from the store, posts a transition once (the message and the
// announced state are committed together), and sleeps until the next instant a state can change by time alone, or
// until a ping, a pause or a resume wakes it. At start it catches up on what happened while magi was down.
import type { Logger } from "pino";
import type { Block } from "../commands/core/types.ts";
import { assessCheck } from "../runners/checks/assess-check.ts";
import { describeTransition, type CheckAnnouncement } from "../runners/checks/describe-transition.ts";
import type { CheckSpec } from "../runners/checks/types.ts";
import type { CheckStore } from "../storage/check-store.ts";
import type { AlertPoster } from "./alert-poster.ts";

// The longest sleep: a clock that jumps (suspend, NTP) is noticed within this.
const MAX_SLEEP_MS = 3_600_000;
// How soon a check whose room cannot be joined yet is tried again.
const ROOM_RETRY_MS = 30_000;

// The blocks of an announcement: its sentence, and the failed run's last lines as code.
function blocksOf(announcement: CheckAnnouncement): Block[] {
  const text: Block = { kind: "text", text: announcement.text };
  return announcement.excerpt ? [text, { kind: "code", text: announcement.excerpt }] : [text];
}

// Starts watching; resolveRoom maps a configured room to a room ID, or undefined while it can't.
export function startCheckWatch(deps: {
  store: CheckStore;
  specs: readonly CheckSpec[];
  poster: AlertPoster;
  resolveRoom(room: string): Promise<string | undefined>;
  log: Logger;
  now(): number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const decide = (spec: CheckSpec, now: number) => (record: ReturnType<CheckStore["get"]>) => {
    const assessment = assessCheck(spec, record, now);
    const failBody = assessment.reason === "failed" ? deps.store.lastFailBody(spec.name) : undefined;
    return { assessment, announcement: describeTransition(spec, record, assessment, failBody) };
  };

  // One pass over every check; returns when to look again.
  async function evaluate(): Promise<number> {
    const now = deps.now();
    let wakeAt = now + MAX_SLEEP_MS;
    for (const spec of deps.specs) {
      const { assessment, announcement } = decide(spec, now)(deps.store.get(spec.name));
      if (assessment.nextChangeAt !== undefined) wakeAt = Math.min(wakeAt, assessment.nextChangeAt);
      if (!announcement) continue;
      const roomId = await deps.resolveRoom(spec.room);
      if (roomId === undefined) {
        wakeAt = Math.min(wakeAt, now + ROOM_RETRY_MS);
        continue;
      }
      // Decided again inside the transaction, from the record as committed, so two passes never post twice.
      deps.store.announce(spec.name, (record) => {
        const fresh = decide(spec, now)(record).announcement;
        if (!fresh) return undefined;
        deps.poster.post(roomId, blocksOf(fresh), { mentions: [] });
        deps.log.info({ check: spec.name, state: assessment.state, reason: assessment.reason }, "check transition posted");
        return fresh.announced;
      });
    }
    return wakeAt;
  }

  const nudge = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = evaluate()
      .then((wakeAt) => wakeAt, (e: Error) => (deps.log.error({ err: e }, "checking the dead-man's-switch checks failed; trying again"), deps.now() + ROOM_RETRY_MS))
      .then((wakeAt) => {
        running = undefined;
        if (again) {
          again = false;
          return nudge();
        }
        if (stopped) return;
        // A few ms past the deadline, so the state has changed when the pass runs.
        timer = setTimeout(nudge, Math.max(0, wakeAt - deps.now()) + 5);
        timer.unref();
      });
  };
  nudge();
  return {
    nudge,
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
