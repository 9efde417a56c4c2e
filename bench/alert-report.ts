// Prints what the alerts benchmark measured: each pass, then every pass's requests pooled, ending with one parseable line.
import type { LoadResult } from "./alert-load.ts";
import type { GroupInRoom } from "./alert-room.ts";
import { formatRatio, pickMedian, pickQuantile } from "./stats.ts";

// The shape of the load, written once for the benchmark and its report.
export const ALERT_LOAD = { groups: 200, alertsPerGroup: 10, clients: 20, goalP99Ms: 20 } as const;

// One measured pass: the floor's load and magi's over the same notifications, and the room after magi's.
export interface Pass {
  floor: LoadResult;
  magi: LoadResult;
  floorCpuMs: number;
  magiCpuMs: number;
  startedTs: number;
  groups: GroupInRoom[];
  // magi's resident set once the pass's room was up to date.
  rssAfter: string;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;
const summarize = (v: number[]) => `p50 ${ms(pickQuantile(v, 0.5))}, p90 ${ms(pickQuantile(v, 0.9))}, p99 ${ms(pickQuantile(v, 0.99))}, max ${ms(Math.max(...v))}`;
const describeRefused = (r: LoadResult) => (Object.keys(r.refused).length === 0 ? "none" : JSON.stringify(r.refused));
const secondsAfter = (pass: Pass, at: (g: GroupInRoom) => number) => (Math.max(...pass.groups.map(at)) - pass.startedTs) / 1000;
const eventsPerGroup = (pass: Pass) => pass.groups.reduce((n, g) => n + g.events, 0) / Math.max(1, pass.groups.length);

// Prints the report; load is /proc/loadavg before the run, the RSS figures are peaks over the whole run.
export function reportAlerts(passes: Pass[], store: { accept: Array<[number, number]>; applyMs: number }, run: { load: string; loadAfter: string; peakRss: string; floorPeakRss: string }): void {
  const { groups, alertsPerGroup, clients, goalP99Ms } = ALERT_LOAD;
  const magi = passes.flatMap((p) => p.magi.latenciesMs);
  const floor = passes.flatMap((p) => p.floor.latenciesMs);
  console.log(`alerts: ${groups * alertsPerGroup} alerts in ${groups} groups (${alertsPerGroup} each), one notification per new alert, ${clients} clients with one keep-alive connection each, at full speed; ${passes.length} passes after two warm-up runs of the same shape`);
  console.log(`/proc/loadavg before and after: ${run.load}; ${run.loadAfter}`);
  passes.forEach((p, i) => {
    const m = p.magi.latenciesMs;
    console.log(`pass ${i + 1}: magi ${summarize(m)}, ${(m.length / (p.magi.wallMs / 1000)).toFixed(0)} req/s, refused ${describeRefused(p.magi)}; floor p50 ${ms(pickQuantile(p.floor.latenciesMs, 0.5))}, p99 ${ms(pickQuantile(p.floor.latenciesMs, 0.99))}, refused ${describeRefused(p.floor)}`);
    console.log(`        room: every group posted ${secondsAfter(p, (g) => g.postedAt).toFixed(1)} s, showing all its alerts ${secondsAfter(p, (g) => g.finalAt ?? Infinity).toFixed(1)} s after magi's first request; ${p.groups.length} groups, ${eventsPerGroup(p).toFixed(2)} events each; magi's RSS then ${p.rssAfter}`);
  });
  const p50 = pickQuantile(magi, 0.5);
  const p99 = pickQuantile(magi, 0.99);
  console.log(`accept latency (request sent -> whole answer), all ${magi.length} requests of the passes:`);
  console.log(`  magi  ${summarize(magi)}`);
  console.log(`  floor ${summarize(floor)} (bare Fastify answering 200, just before each of magi's passes)`);
  console.log(`  magi/floor p50 ${formatRatio(p50 / pickQuantile(floor, 0.5))}, p99 ${formatRatio(p99 / pickQuantile(floor, 0.99))}; pass p99s magi ${passes.map((p) => pickQuantile(p.magi.latenciesMs, 0.99).toFixed(1)).join(" / ")} ms, floor ${passes.map((p) => pickQuantile(p.floor.latenciesMs, 0.99).toFixed(1)).join(" / ")} ms; goal p99 <= ${goalP99Ms} ms: ${p99 <= goalP99Ms ? "met" : "NOT met"}`);
  const cpu = { magi: passes.reduce((n, p) => n + p.magiCpuMs, 0) / magi.length, floor: passes.reduce((n, p) => n + p.floorCpuMs, 0) / floor.length };
  console.log(`  CPU per request while the requests ran: magi ${cpu.magi.toFixed(2)} ms (its posting under way included), floor ${cpu.floor.toFixed(2)} ms, magi/floor ${formatRatio(cpu.magi / cpu.floor)}`);
  const perGroup = pickMedian(passes.map(eventsPerGroup));
  const allPosted = pickMedian(passes.map((p) => secondsAfter(p, (g) => g.postedAt)));
  const allFinal = pickMedian(passes.map((p) => secondsAfter(p, (g) => g.finalAt ?? Infinity)));
  const events = passes.flatMap((p) => p.groups.map((g) => g.events));
  console.log(`Matrix events per group (post + edits), median of the passes: ${perGroup.toFixed(2)} (min ${Math.min(...events)}, max ${Math.max(...events)}) for ${alertsPerGroup} real changes each: ${(perGroup / alertsPerGroup).toFixed(2)} per change (goal <= 1)`);
  console.log(`magi: peak RSS ${run.peakRss}; floor peak RSS ${run.floorPeakRss}`);
  const meanOf = (size: number) => {
    const runs = store.accept.filter(([n]) => n === size).map(([, v]) => v);
    return runs.reduce((sum, v) => sum + v, 0) / runs.length;
  };
  const single = meanOf(1);
  console.log(`the storage alone (real file, no HTTP), CPU per notification: accepting (into the intake) ${store.accept.map(([n, v]) => `${n} per transaction ${v.toFixed(3)} ms`).join(", ")}; 20 per transaction / 1 (mean of both) ${formatRatio(meanOf(20) / single)}; applying them to their groups afterwards ${store.applyMs.toFixed(3)} ms`);
  console.log(`alerts: accept p50=${p50.toFixed(2)}ms p99=${p99.toFixed(2)}ms magi/floor p50=${formatRatio(p50 / pickQuantile(floor, 0.5))} p99=${formatRatio(p99 / pickQuantile(floor, 0.99))} cpu_per_request=${formatRatio(cpu.magi / cpu.floor)} all_in_room_s=${allPosted.toFixed(1)} all_final_s=${allFinal.toFixed(1)} events_per_group=${perGroup.toFixed(2)} events_per_change=${(perGroup / alertsPerGroup).toFixed(2)} peak_rss=${run.peakRss.replace(" ", "")} passes=${passes.length} store_batch20/single=${formatRatio(meanOf(20) / single)} apply_ms_per_notification=${store.applyMs.toFixed(3)}`);
}
