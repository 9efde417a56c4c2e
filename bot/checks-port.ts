// The ChecksPort the commands read: states computed from the check store at the time asked, and pause/resume, which
// wake the watcher so its next deadline and any announcement follow at once.
import type { CheckSummary, ChecksPort } from "../commands/core/checks-port.ts";
import { assessCheck } from "../runners/checks/assess-check.ts";
import { describeSchedule } from "../runners/checks/schedule.ts";
import type { CheckSpec } from "../runners/checks/types.ts";
import type { CheckStore } from "../storage/check-store.ts";

// A ChecksPort over the store; changed() is called after a pause or resume.
export function createChecksPort(store: CheckStore, specs: readonly CheckSpec[], changed: () => void): ChecksPort {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const summarize = (spec: CheckSpec, now: number): CheckSummary => {
    const record = store.get(spec.name);
    const assessment = assessCheck(spec, record, now);
    return {
      name: spec.name, state: assessment.state, reason: assessment.reason, schedule: describeSchedule(spec.schedule), graceMs: spec.graceMs, hosts: spec.hosts,
      lastPingAt: record.lastPingAt, lastDurationMs: record.lastDurationMs, expectedAt: assessment.expectedAt, running: record.startedAt !== null && record.pausedAt === null,
    };
  };
  const act = (done: boolean) => {
    if (done) changed();
    return done;
  };
  return {
    names: () => specs.map((s) => s.name),
    list: (now) => specs.map((s) => summarize(s, now)),
    detail: (name, now, limit) => {
      const spec = byName.get(name);
      if (!spec) return undefined;
      const pings = store.recentPings(name, limit).map((p) => ({ at: p.at, kind: p.kind, exit: p.exit, durationMs: p.durationMs, bodyBytes: p.bodyBytes }));
      return { ...summarize(spec, now), pings, lastBody: store.lastBody(name) };
    },
    pause: (name, by, now) => act(store.pause(name, by, now)),
    resume: (name, now) => act(store.resume(name, now)),
  };
}
