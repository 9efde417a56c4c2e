// npm run bench:alerts — 2,000 alerts in 200 Alertmanager groups, sent as webhook notifications (version 4) by 20
// concurrent clients at full speed straight to magi's intake: how fast magi answers (against the floor, a bare Fastify
// server answering 200, measured in the same run), how long until every group's message is in the room, how many
// Matrix events each group cost, and magi's peak RSS.
import { join } from "node:path";
import Database from "better-sqlite3";
import { buildNotification } from "../test/e2e/harness/alert-notification.ts";
import { sendLoad, type LoadResult } from "./alert-load.ts";
import { readBotMessages, tallyGroups, type GroupInRoom } from "./alert-room.ts";
import { ROUTE_TOKEN, startAlertsWorld, stopAlertsWorld, type AlertsWorld } from "./alerts-world.ts";
import { readCpuMs, readLoadAverages, readPeakRss } from "./cpu.ts";
import { formatRatio, pickQuantile } from "./stats.ts";
import { runBench } from "./run-bench.ts";

const GROUPS = 200;
const ALERTS_PER_GROUP = 10;
const CLIENTS = 20;
const WARMUP_GROUPS = 20;
const WARMUP_ALERTS = 5;
const GOAL_P99_MS = 20;
// How long the room may take to show every group's final message before the run gives up.
const ROOM_TIMEOUT_MS = 300_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const groupName = (prefix: string, g: number) => `${prefix}${String(g).padStart(3, "0")}`;

// Each group grows one alert per notification, as Alertmanager reports a group gaining alerts; every notification is
// a real change. A group always goes through the same client, so its notifications arrive in order.
function planNotifications(prefix: string, groups: number, alertsPerGroup: number): string[][] {
  const startsAt = new Date(Date.now() - 3600_000);
  const perClient: string[][] = Array.from({ length: CLIENTS }, () => []);
  for (let step = 1; step <= alertsPerGroup; step++) {
    for (let g = 0; g < groups; g++) {
      const alerts = Array.from({ length: step }, (_, i) => ({ instance: `host-${i}`, startsAt }));
      perClient[g % CLIENTS]!.push(JSON.stringify(buildNotification(groupName(prefix, g), alerts)));
    }
  }
  return perClient;
}

// The final message of a group of n alerts reads "… — n of n alerts firing".
const showsAll = (n: number) => (_name: string, body: string) => body.includes(`— ${n} of ${n} alerts firing`);

// Polls the room until every group of prefix shows its final message; returns the tally.
async function waitForRoom(world: AlertsWorld, prefix: string, groups: number, n: number, sinceTs: number): Promise<Map<string, GroupInRoom>> {
  const deadline = Date.now() + ROOM_TIMEOUT_MS;
  for (;;) {
    const events = await readBotMessages(world.owner!, world.roomId!, world.botUserId!, sinceTs);
    const tally = new Map([...tallyGroups(events, showsAll(n))].filter(([name]) => name.startsWith(prefix)));
    const done = [...tally.values()].filter((g) => g.finalAt !== undefined).length;
    if (done === groups) return tally;
    if (Date.now() > deadline) throw new Error(`after ${ROOM_TIMEOUT_MS / 1000} s only ${done} of ${groups} groups show their final message`);
    await sleep(1000);
  }
}

// Rows magi has not sent yet, read from its database.
function countUnsent(world: AlertsWorld): number {
  const db = new Database(join(world.dir, "magi.sqlite"), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const summarize = (v: number[]) => `p50 ${pickQuantile(v, 0.5).toFixed(2)} ms, p90 ${pickQuantile(v, 0.9).toFixed(2)} ms, p99 ${pickQuantile(v, 0.99).toFixed(2)} ms, max ${Math.max(...v).toFixed(2)} ms`;
const describeRefused = (r: LoadResult) => (Object.keys(r.refused).length === 0 ? "none" : JSON.stringify(r.refused));

async function measure(world: AlertsWorld): Promise<void> {
  const { magi, magiUrl, bareUrl, bare } = world;
  if (!magi?.child.pid || !magiUrl || !bareUrl || !bare?.pid) throw new Error("world not started");
  const total = GROUPS * ALERTS_PER_GROUP;
  const load = readLoadAverages();
  // Warm-up: both servers' code paths compiled, magi's room joined and its first messages sent, before anything is timed.
  const warmup = planNotifications("Warmup", WARMUP_GROUPS, WARMUP_ALERTS);
  const warmSince = Date.now();
  await sendLoad(bareUrl, ROUTE_TOKEN, warmup);
  await sendLoad(magiUrl, ROUTE_TOKEN, warmup);
  await waitForRoom(world, "Warmup", WARMUP_GROUPS, WARMUP_ALERTS, warmSince);

  const plan = planNotifications("Bench", GROUPS, ALERTS_PER_GROUP);
  // CPU per request is steadier than latency on a shared machine: a busy neighbour delays a request, it doesn't add work.
  const floorCpu0 = readCpuMs(bare.pid);
  const floorA = await sendLoad(bareUrl, ROUTE_TOKEN, plan);
  const floorCpuA = readCpuMs(bare.pid) - floorCpu0;
  const cpuBefore = readCpuMs(magi.child.pid);
  const startedTs = Date.now();
  const magiLoad = await sendLoad(magiUrl, ROUTE_TOKEN, plan);
  const acceptCpuMs = readCpuMs(magi.child.pid) - cpuBefore;
  const tally = await waitForRoom(world, "Bench", GROUPS, ALERTS_PER_GROUP, startedTs);
  const roomDoneS = (Date.now() - startedTs) / 1000;
  const cpuMs = readCpuMs(magi.child.pid) - cpuBefore;
  // The floor again once magi is idle, so neither side always runs first.
  const floorCpu1 = readCpuMs(bare.pid);
  const floorB = await sendLoad(bareUrl, ROUTE_TOKEN, plan);
  const floorCpuMs = floorCpuA + readCpuMs(bare.pid) - floorCpu1;
  // Let the outbox drain and any late duplicate show before counting.
  const drainDeadline = Date.now() + 60_000;
  while (countUnsent(world) > 0 && Date.now() < drainDeadline) await sleep(500);
  await sleep(2000);
  const final = new Map([...tallyGroups(await readBotMessages(world.owner!, world.roomId!, world.botUserId!, startedTs), showsAll(ALERTS_PER_GROUP))].filter(([n]) => n.startsWith("Bench")));

  const floor = [...floorA.latenciesMs, ...floorB.latenciesMs];
  const m = magiLoad.latenciesMs;
  const groups = [...final.values()];
  const events = groups.map((g) => g.events);
  const eventsPerGroup = events.reduce((a, b) => a + b, 0) / Math.max(1, groups.length);
  const allPostedS = (Math.max(...groups.map((g) => g.postedAt)) - startedTs) / 1000;
  const allFinalS = (Math.max(...groups.map((g) => g.finalAt ?? Infinity)) - startedTs) / 1000;
  const peakRss = readPeakRss(magi.child.pid);
  console.log(`alerts: ${total} alerts in ${GROUPS} groups (${ALERTS_PER_GROUP} each), one notification per new alert, ${CLIENTS} clients with one keep-alive connection each, at full speed`);
  console.log(`/proc/loadavg before and after: ${load}; ${readLoadAverages()}`);
  console.log(`accept latency (request sent -> whole answer), ${m.length} requests:`);
  console.log(`  magi  ${summarize(m)}; ${(m.length / (magiLoad.wallMs / 1000)).toFixed(0)} req/s; refused: ${describeRefused(magiLoad)}`);
  console.log(`  floor ${summarize(floor)} (bare Fastify answering 200, two passes around magi's); refused: ${describeRefused(floorA)} / ${describeRefused(floorB)}`);
  console.log(`  magi/floor p50 ${formatRatio(pickQuantile(m, 0.5) / pickQuantile(floor, 0.5))}, p99 ${formatRatio(pickQuantile(m, 0.99) / pickQuantile(floor, 0.99))}; goal p99 <= ${GOAL_P99_MS} ms: ${pickQuantile(m, 0.99) <= GOAL_P99_MS ? "met" : "NOT met"}`);
  const perRequest = { magi: acceptCpuMs / m.length, floor: floorCpuMs / floor.length };
  console.log(`  CPU per request while the requests ran: magi ${perRequest.magi.toFixed(2)} ms (its posting under way included), floor ${perRequest.floor.toFixed(2)} ms, magi/floor ${formatRatio(perRequest.magi / perRequest.floor)}`);
  console.log(`room: every group's message in the room ${allPostedS.toFixed(1)} s after the first request, every group showing all its alerts ${allFinalS.toFixed(1)} s (seen by polling at ${roomDoneS.toFixed(1)} s); ${groups.length} groups`);
  console.log(`Matrix events per group (post + edits): mean ${eventsPerGroup.toFixed(2)}, min ${Math.min(...events)}, max ${Math.max(...events)}, for ${ALERTS_PER_GROUP} real changes each: ${(eventsPerGroup / ALERTS_PER_GROUP).toFixed(2)} per change (goal <= 1)`);
  console.log(`magi: peak RSS ${peakRss}, CPU ${(cpuMs / 1000).toFixed(1)} s from the first request until the room was up to date; floor peak RSS ${readPeakRss(bare.pid)}`);
  console.log(`alerts: accept p50=${pickQuantile(m, 0.5).toFixed(2)}ms p99=${pickQuantile(m, 0.99).toFixed(2)}ms magi/floor p50=${formatRatio(pickQuantile(m, 0.5) / pickQuantile(floor, 0.5))} p99=${formatRatio(pickQuantile(m, 0.99) / pickQuantile(floor, 0.99))} cpu_per_request=${formatRatio(perRequest.magi / perRequest.floor)} all_in_room_s=${allPostedS.toFixed(1)} all_final_s=${allFinalS.toFixed(1)} events_per_group=${eventsPerGroup.toFixed(2)} events_per_change=${(eventsPerGroup / ALERTS_PER_GROUP).toFixed(2)} peak_rss=${peakRss.replace(" ", "")}`);
}

process.exitCode = await runBench("alerts", (dir) => {
  const world: AlertsWorld = { dir };
  return { start: () => startAlertsWorld(world), measure: () => measure(world), stop: () => stopAlertsWorld(world) };
});
