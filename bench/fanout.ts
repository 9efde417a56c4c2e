// npm run bench:fanout — !status wall time over 1 host and over 30, end to end: a real magi process
// and a real Synapse on loopback, 30 real sshd hosts whose fake NixOS tools each sleep 300 ms.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { diffCpu, findSynapsePid, readLoadAverage, readPeakRss, takeCpuSnapshot } from "./cpu.ts";
import { setFakeDelay, startFleet, stopFleet, type Fleet } from "./fanout-fleet.ts";

const HOSTS = 30;
const DELAY_SECONDS = 0.3;
// A second, longer delay, to show the 30-vs-1 difference is the hosts' fixed CPU, not magi waiting in turn.
const LONG_DELAY_SECONDS = 1;
const ROUNDS = 3;
const WATCHDOG_MS = 120_000;

// Time between the command and magi's reply by the homeserver's own timestamps, so polling adds nothing.
async function timeCommand(admin: TestUser, roomId: string, text: string): Promise<{ ms: number; head: string }> {
  const command = await admin.say(roomId, text);
  // The first look comes after every run seen so far has ended (the slowest, a first fleet status,
  // takes about 1 s here), then slowly: the benchmark's client and the requests it makes Synapse
  // serve should not steal CPU from what it measures. The timestamps are the server's, so when
  // the client looks changes nothing in the figures.
  for (let wait = 1_500; ; wait = 500) {
    await new Promise((r) => setTimeout(r, wait));
    const reply = (await admin.repliesTo(roomId, command))[0];
    if (!reply) continue;
    const sent = (await admin.timeline(roomId)).find((e) => e.event_id === command)!;
    return { ms: reply.origin_server_ts - sent.origin_server_ts, head: String(reply.content.body).split("\n")[0]! };
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

// Alternates 1-host and fleet statuses at the hosts' current delay; CPU is counted over each fleet run.
async function measureRounds(ask: (text: string) => ReturnType<typeof timeCommand>, pids: Parameters<typeof takeCpuSnapshot>[0]) {
  const one: number[] = [];
  const all: number[] = [];
  const cpu: ReturnType<typeof diffCpu>[] = [];
  let tally = "";
  for (let round = 0; round < ROUNDS; round++) {
    one.push((await ask("!status h01")).ms);
    const before = takeCpuSnapshot(pids);
    const fleetRun = await ask("!status all");
    cpu.push(diffCpu(before, takeCpuSnapshot(pids)));
    all.push(fleetRun.ms);
    tally = fleetRun.head;
  }
  return { one, all, cpu, tally, ratio: (median(all) / median(one)).toFixed(2) };
}

async function measure(fleet: Fleet): Promise<void> {
  const { admin, roomId, bot } = fleet;
  if (!admin || !roomId || !bot?.child.pid) throw new Error("fleet not started");
  const pid = bot.child.pid;
  const pids = { magi: pid, synapse: await findSynapsePid(fleet.synapse!.dataDir), hosts: fleet.hosts.map((h) => h.pid) };
  const ask = (text: string) => timeCommand(admin, roomId, text);
  const loadBefore = readLoadAverage();
  const coldOne = await ask("!status h01");
  const coldAll = await ask("!status all");
  const { one, all, cpu, tally, ratio } = await measureRounds(ask, pids);
  setFakeDelay(fleet, LONG_DELAY_SECONDS);
  const long = await measureRounds(ask, pids);
  setFakeDelay(fleet, 0);
  const floorOne = (await ask("!status h01")).ms;
  const floorAll = (await ask("!status all")).ms;
  const cores = availableParallelism();
  console.log(`load average (1 min) before and after measuring: ${loadBefore}, ${readLoadAverage()}`);
  console.log(`status 1 host, first (opens its connection): ${coldOne.ms} ms`);
  console.log(`status ${HOSTS} hosts, first (opens ${HOSTS - 1} connections): ${coldAll.ms} ms`);
  console.log(`status 1 host, pooled, median of ${ROUNDS}: ${median(one)} ms (${one.join(", ")})`);
  console.log(`status ${HOSTS} hosts, pooled, median of ${ROUNDS}: ${median(all)} ms (${all.join(", ")})`);
  console.log(`ratio ${HOSTS}/1 pooled: ${ratio} (goal <= 1.5); first: ${(coldAll.ms / coldOne.ms).toFixed(2)}`);
  const part = (k: keyof (typeof cpu)[number]) => `${median(cpu.map((c) => c[k]))} ms`;
  console.log(`magi CPU per ${HOSTS}-host status: ${part("magi")} (${cpu.map((c) => c.magi).join(", ")})`);
  console.log(`CPU per ${HOSTS}-host status, medians, from the command until the reply was polled: machine ${part("machine")} = hosts (sshd, sessions, probes) ${part("hosts")} + magi ${part("magi")} + Synapse ${part("synapse")} + bench client ${part("bench")} + rest of the machine ${part("other")}`);
  console.log(`the ${HOSTS} hosts' own CPU spread over this machine's ${cores} cores: ${Math.round(median(cpu.map((c) => c.hosts)) / cores)} ms; the ${HOSTS}-host status took ${median(all) - median(one)} ms longer than 1 host`);
  console.log(`same with a ${LONG_DELAY_SECONDS * 1000} ms delay: 1 host ${median(long.one)} ms, ${HOSTS} hosts ${median(long.all)} ms, ratio ${long.ratio} (the difference stays about the hosts' CPU, whatever the delay)`);
  console.log(`same without the artificial delay (the cost of the sessions and probes themselves on these ${cores} cores): 1 host ${floorOne} ms, ${HOSTS} hosts ${floorAll} ms`);
  console.log(`last ${HOSTS}-host reply: ${tally}`);
  console.log(`magi peak RSS (VmHWM of pid ${pid}): ${readPeakRss(pid)}`);
}

async function main(): Promise<number> {
  // The sshd harness adds one exit guard per host, on purpose; 30 hosts are not a listener leak.
  process.setMaxListeners(HOSTS + 10);
  const fleet: Fleet = { dir: mkdtempSync(join(tmpdir(), "magi-bench-fanout-")), hosts: [] };
  const watchdog = setTimeout(() => {
    console.error(`bench:fanout: gave up after ${WATCHDOG_MS / 1000} s`);
    void stopFleet(fleet).then(() => process.exit(1));
  }, WATCHDOG_MS);
  const started = Date.now();
  try {
    await startFleet(fleet, HOSTS, DELAY_SECONDS);
    console.log(`fanout: ${HOSTS} loopback sshd hosts, fake NixOS tools sleep ${DELAY_SECONDS * 1000} ms per command, status.concurrency ${HOSTS}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log("wall time: the command event to magi's reply, end to end through Synapse and a real magi process");
    await measure(fleet);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await stopFleet(fleet);
    rmSync(fleet.dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
