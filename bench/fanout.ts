// npm run bench:fanout — !status wall time over 1 host and over 30, end to end: a real magi process
// and a real Synapse on loopback, 30 real sshd hosts whose fake NixOS tools each sleep 300 ms;
// against the floor, measured in the same run: the same probe script run by plain OpenSSH.
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { diffCpu, findSynapsePid, readLoadAverage, readLoadAverages, readPeakRss, takeCpuSnapshot } from "./cpu.ts";
import { setFakeDelay, startFleet, stopFleet, type Fleet } from "./fanout-fleet.ts";
import { closeMasters, openMasters, timeFloor, type SshFloor } from "./ssh-floor.ts";
import { formatRatio, pickMedian as median, shuffleCopy } from "./stats.ts";
import { runBench } from "./run-bench.ts";

const HOSTS = 30;
const DELAY_SECONDS = 0.3;
// A second, longer delay, to show the 30-vs-1 difference is the hosts' fixed CPU, not magi waiting in turn.
const LONG_DELAY_SECONDS = 1;
// Rounds against the floor (each: magi and OpenSSH, on 1 host and on 30, in shuffled order); the information-only rounds.
const FLOOR_ROUNDS = 10;
const INFO_ROUNDS = 3;
const COLD_FLOOR_RUNS = 3;

type Ask = (text: string) => Promise<{ ms: number; head: string }>;
type Pids = Parameters<typeof takeCpuSnapshot>[0];

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

// Progress on stderr, so a slow machine shows where the time goes and stdout stays the figures.
const note = (text: string) => process.stderr.write(`bench:fanout: ${text}\n`);

const spread = (values: number[]) => `median ${median(values)} ms (${values.join(", ")})`;

// Alternates 1-host and fleet statuses at the hosts' current delay; CPU is counted over each fleet run.
async function measureRounds(ask: Ask, pids: Pids, rounds: number) {
  const one: number[] = [];
  const all: number[] = [];
  const cpu: ReturnType<typeof diffCpu>[] = [];
  for (let round = 0; round < rounds; round++) {
    one.push((await ask("!status h01")).ms);
    const before = takeCpuSnapshot(pids);
    all.push((await ask("!status all")).ms);
    cpu.push(diffCpu(before, takeCpuSnapshot(pids)));
  }
  return { one, all, cpu, ratio: formatRatio(median(all) / median(one)) };
}

// magi and OpenSSH interleaved, on 1 host and on 30, in a fresh random order every round.
async function measureAgainstFloor(ask: Ask, floor: SshFloor, pids: Pids) {
  const r = { magiOne: [] as number[], magiAll: [] as number[], floorOne: [] as number[], floorAll: [] as number[], cpu: [] as ReturnType<typeof diffCpu>[], tally: "" };
  const steps = [
    async () => r.magiOne.push((await ask("!status h01")).ms),
    async () => {
      const before = takeCpuSnapshot(pids);
      const run = await ask("!status all");
      r.cpu.push(diffCpu(before, takeCpuSnapshot(pids)));
      r.magiAll.push(run.ms);
      r.tally = run.head;
    },
    async () => r.floorOne.push(await timeFloor(floor, 1, true)),
    async () => r.floorAll.push(await timeFloor(floor, HOSTS, true)),
  ];
  for (let round = 0; round < FLOOR_ROUNDS; round++) {
    for (const step of shuffleCopy(steps)) await step();
    note(`round ${round + 1}/${FLOOR_ROUNDS}: magi ${r.magiAll.at(-1)} ms, floor ${r.floorAll.at(-1)} ms`);
  }
  const ratios = r.magiAll.map((m, i) => m / r.floorAll[i]!);
  return { ...r, ratios };
}

async function measure(fleet: Fleet, floorDir: string): Promise<void> {
  const { admin, roomId, bot } = fleet;
  if (!admin || !roomId || !bot?.child.pid) throw new Error("fleet not started");
  const pid = bot.child.pid;
  const pids = { magi: pid, synapse: await findSynapsePid(fleet.synapse!.dataDir), hosts: fleet.hosts.map((h) => h.pid) };
  const ask = (text: string) => timeCommand(admin, roomId, text);
  const loadBefore = readLoadAverage();
  // Cold: magi's first fleet status opens all 30 connections; the floor opens 30 fresh ones each time.
  const coldMagi = (await ask("!status all")).ms;
  note(`cold status: ${coldMagi} ms; opening ${HOSTS} OpenSSH ControlMaster connections`);
  const floor = await openMasters(floorDir, fleet.hosts);
  try {
    const coldFloor: number[] = [];
    for (let i = 0; i < COLD_FLOOR_RUNS; i++) coldFloor.push(await timeFloor(floor, HOSTS, false));
    note(`cold floor: ${coldFloor.join(", ")} ms`);
    const f = await measureAgainstFloor(ask, floor, pids);
    setFakeDelay(fleet, LONG_DELAY_SECONDS);
    const long = await measureRounds(ask, pids, INFO_ROUNDS);
    setFakeDelay(fleet, 0);
    const bare = await measureRounds(ask, pids, 1);
    const cores = availableParallelism();
    const ratio = median(f.ratios);
    const cold = coldMagi / median(coldFloor);
    console.log(`load average (1 min) before and after measuring: ${loadBefore}, ${readLoadAverage()}; /proc/loadavg now ${readLoadAverages()}`);
    console.log(`floor: the same probe script run by OpenSSH over ControlMaster connections opened beforehand, timed from the first spawn to the last host's last section`);
    console.log(`magi  ${HOSTS} hosts, pooled: ${spread(f.magiAll)}`);
    console.log(`floor ${HOSTS} hosts, warm:   ${spread(f.floorAll)}`);
    console.log(`magi-${HOSTS} / floor-${HOSTS}, per round: median ${formatRatio(ratio)}, min ${formatRatio(Math.min(...f.ratios))}, max ${formatRatio(Math.max(...f.ratios))} over ${FLOOR_ROUNDS} interleaved rounds (goal <= 1.05)`);
    console.log(`magi  1 host, pooled: ${spread(f.magiOne)}; floor 1 host, warm: ${spread(f.floorOne)}`);
    console.log(`(information) ratio ${HOSTS}/1: magi ${formatRatio(median(f.magiAll) / median(f.magiOne))}, floor ${formatRatio(median(f.floorAll) / median(f.floorOne))}`);
    console.log(`cold: magi's first ${HOSTS}-host status (opens ${HOSTS} connections) ${coldMagi} ms; OpenSSH with ${HOSTS} fresh connections ${spread(coldFloor)}; magi/floor ${formatRatio(cold)}`);
    const part = (k: keyof (typeof f.cpu)[number]) => `${median(f.cpu.map((c) => c[k]))} ms`;
    console.log(`magi CPU per ${HOSTS}-host status: ${part("magi")} (${f.cpu.map((c) => c.magi).join(", ")})`);
    console.log(`CPU per ${HOSTS}-host status, medians, from the command until the reply was polled: machine ${part("machine")} = hosts (sshd, sessions, probes) ${part("hosts")} + magi ${part("magi")} + Synapse ${part("synapse")} + bench client ${part("bench")} + rest of the machine ${part("other")}`);
    console.log(`the ${HOSTS} hosts' own CPU spread over this machine's ${cores} cores: ${Math.round(median(f.cpu.map((c) => c.hosts)) / cores)} ms; the ${HOSTS}-host status took ${median(f.magiAll) - median(f.magiOne)} ms longer than 1 host`);
    console.log(`same with a ${LONG_DELAY_SECONDS * 1000} ms delay: 1 host ${median(long.one)} ms, ${HOSTS} hosts ${median(long.all)} ms, ratio ${long.ratio} (the difference stays about the hosts' CPU, whatever the delay)`);
    console.log(`same without the artificial delay (the cost of the sessions and probes themselves on these ${cores} cores): 1 host ${bare.one[0]} ms, ${HOSTS} hosts ${bare.all[0]} ms`);
    console.log(`last ${HOSTS}-host reply: ${f.tally}`);
    console.log(`magi peak RSS (VmHWM of pid ${pid}): ${readPeakRss(pid)}`);
    console.log(`fanout: magi/floor=${formatRatio(ratio)} (min ${formatRatio(Math.min(...f.ratios))}, max ${formatRatio(Math.max(...f.ratios))}) rounds=${FLOOR_ROUNDS} cold magi/floor=${formatRatio(cold)}`);
  } finally {
    await closeMasters(floor);
  }
}

// The sshd harness adds one exit guard per host, on purpose; 30 hosts are not a listener leak.
process.setMaxListeners(HOSTS + 10);
process.exitCode = await runBench("fanout", (dir) => {
  const fleet: Fleet = { dir, hosts: [] };
  return {
    async start() {
      const started = Date.now();
      await startFleet(fleet, HOSTS, DELAY_SECONDS);
      console.log(`fanout: ${HOSTS} loopback sshd hosts, fake NixOS tools sleep ${DELAY_SECONDS * 1000} ms per command, status.concurrency ${HOSTS}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log("magi's times: the command event to magi's reply by Synapse's timestamps, end to end through a real magi process");
    },
    async measure() {
      const floorDir = join(fleet.dir, "openssh");
      mkdirSync(floorDir);
      await measure(fleet, floorDir);
    },
    stop: () => stopFleet(fleet),
  };
});
