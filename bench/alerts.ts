// npm run bench:alerts — passes of 2,000 alerts in 200 Alertmanager groups, sent as webhook notifications (version 4) by 20
// concurrent clients at full speed straight to magi's intake: how fast magi answers (against the floor, a bare Fastify
// server answering 200, measured in the same run), how long until every group's message is in the room, how many
// Matrix events each group cost, and magi's peak RSS.
import { cpus } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { buildNotification } from "../test/e2e/harness/alert-notification.ts";
import { sendLoad } from "./alert-load.ts";
import { measureStoreBatches } from "./alert-store-batches.ts";
import { ALERT_LOAD, reportAlerts, type Pass } from "./alert-report.ts";
import { readBotMessages, tallyGroups, type GroupInRoom } from "./alert-room.ts";
import { ROUTE_TOKEN, startAlertsWorld, stopAlertsWorld, type AlertsWorld } from "./alerts-world.ts";
import { readCpuMs, readLoadAverages, readMachineCpuMs, readPeakRss, readRss } from "./cpu.ts";
import { runBench } from "./run-bench.ts";

const { groups: GROUPS, alertsPerGroup: ALERTS_PER_GROUP, clients: CLIENTS } = ALERT_LOAD;
// Measured passes, each on a quiet magi: one pass's p99 is 20 requests' worth, and this machine's noise moves it by a third.
const PASSES = 3;
// Notifications per transaction for the store-alone figures.
const STORE_BATCHES = [1, 5, 20, 1];
// The warm-up is whole runs of the same shape under other group names: the accept latency of a server that has been
// up for a while is what the goal is about, not that of code V8 is still compiling. The first 2,000 requests cost
// each server about twice the CPU of later ones, and after one warm-up run the next still cost the floor, the
// benchmark's client and magi a third more CPU than the one after it (890 / 560 / 350 ms for the floor's passes).
const WARMUP_RUNS = 2;
const WARMUP_GROUPS = GROUPS;
const WARMUP_ALERTS = ALERTS_PER_GROUP;
// The machine counts as idle when its cores were busy less than this share of a window.
const IDLE_SHARE = 0.15;
const IDLE_WINDOW_MS = 1000;
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


// Lets the outbox drain and any late duplicate show (and Synapse finish with what it was sent), so what comes next
// starts on a quiet magi.
async function waitForQuiet(world: AlertsWorld): Promise<void> {
  const drainDeadline = Date.now() + 60_000;
  while (countUnsent(world) > 0 && Date.now() < drainDeadline) await sleep(500);
  await sleep(2000);
  // Synapse goes on working through what it was sent for a while: wait (up to 20 s) until the machine idles.
  const idleDeadline = Date.now() + 20_000;
  while (Date.now() < idleDeadline) {
    const busy0 = readMachineCpuMs();
    await sleep(IDLE_WINDOW_MS);
    if ((readMachineCpuMs() - busy0) / (IDLE_WINDOW_MS * cpus().length) < IDLE_SHARE) return;
  }
}

// One measured pass: the floor's load, then magi's, then the room until magi has shown and sent everything.
async function runPass(world: AlertsWorld, prefix: string): Promise<Pass> {
  const { magi, magiUrl, bareUrl, bare } = world;
  if (!magi?.child.pid || !magiUrl || !bareUrl || !bare?.pid) throw new Error("world not started");
  const plan = planNotifications(prefix, GROUPS, ALERTS_PER_GROUP);
  // CPU per request is steadier than latency on a shared machine: a busy neighbour delays a request, it doesn't add work.
  const floorCpu0 = readCpuMs(bare.pid);
  const floor = await sendLoad(bareUrl, ROUTE_TOKEN, plan);
  const floorCpuMs = readCpuMs(bare.pid) - floorCpu0;
  const magiCpu0 = readCpuMs(magi.child.pid);
  const startedTs = Date.now();
  const load = await sendLoad(magiUrl, ROUTE_TOKEN, plan);
  const magiCpuMs = readCpuMs(magi.child.pid) - magiCpu0;
  await waitForRoom(world, prefix, GROUPS, ALERTS_PER_GROUP, startedTs);
  await waitForQuiet(world);
  const events = await readBotMessages(world.owner!, world.roomId!, world.botUserId!, startedTs);
  const groups = [...tallyGroups(events, showsAll(ALERTS_PER_GROUP))].filter(([n]) => n.startsWith(prefix)).map(([, g]) => g);
  return { floor, magi: load, floorCpuMs, magiCpuMs, startedTs, groups, rssAfter: readRss(magi.child.pid) };
}

async function measure(world: AlertsWorld): Promise<void> {
  const { magiUrl, bareUrl } = world;
  if (!magiUrl || !bareUrl) throw new Error("world not started");
  const load = readLoadAverages();
  // Warm-up: both servers' code paths compiled, magi's room joined and its messages sent, before anything is timed.
  for (let run = 1; run <= WARMUP_RUNS; run++) {
    const warmup = planNotifications(`Warmup${run}-`, WARMUP_GROUPS, WARMUP_ALERTS);
    const warmSince = Date.now();
    await sendLoad(bareUrl, ROUTE_TOKEN, warmup);
    await sendLoad(magiUrl, ROUTE_TOKEN, warmup);
    await waitForRoom(world, `Warmup${run}-`, WARMUP_GROUPS, WARMUP_ALERTS, warmSince);
    await waitForQuiet(world);
  }
  const passes: Pass[] = [];
  for (let p = 1; p <= PASSES; p++) passes.push(await runPass(world, `Bench${p}-`));
  // Group commit alone, in this process while magi idles: one notification per transaction first and last, so a
  // warming JIT does not favour the batches.
  const store = await measureStoreBatches(world.dir, (prefix) => planNotifications(prefix, GROUPS, ALERTS_PER_GROUP).flat(), STORE_BATCHES);
  reportAlerts(passes, store, { load, loadAfter: readLoadAverages(), peakRss: readPeakRss(world.magi!.child.pid!), floorPeakRss: readPeakRss(world.bare!.pid!) });
}

process.exitCode = await runBench("alerts", (dir) => {
  const world: AlertsWorld = { dir };
  return { start: () => startAlertsWorld(world), measure: () => measure(world), stop: () => stopAlertsWorld(world) };
});
