// npm run bench:ping — how fast magi answers !ping against the floor, a bare matrix-bot-sdk bot
// (bench/bare-bot.ts) on the same loopback Synapse, measured in the same run, alternating in a
// fresh random order every round, by a client that reads replies over a /sync long-poll.
import { join } from "node:path";
import { TestUser } from "../test/e2e/harness/matrix-user.ts";
import { readCpuMs, readLoadAverages } from "./cpu.ts";
import { startPingWorld, stopPingWorld, type PingWorld } from "./ping-world.ts";
import { formatRatio, pickQuantile, shuffleCopy } from "./stats.ts";
import { runBench } from "./run-bench.ts";
import { startSyncClient } from "./sync-client.ts";

const ROUNDS = 200;
const WARMUP_ROUNDS = 10;
// A pause after each reply, so a bot's work after its send (audit, the next sync) is not in the next ping.
const PAUSE_MS = 30;

type Bot = "magi" | "bare";
interface Samples { client: number[]; server: number[]; cpuMs: number }

const summarize = (v: number[]) => `p50 ${pickQuantile(v, 0.5).toFixed(1)} ms, p90 ${pickQuantile(v, 0.9).toFixed(1)} ms, p99 ${pickQuantile(v, 0.99).toFixed(1)} ms`;
const ratioAt = (a: number[], b: number[], q: number) => formatRatio(pickQuantile(a, q) / pickQuantile(b, q));

async function measure(world: PingWorld): Promise<void> {
  const { synapse, client: session, magi, bare, magiRoom, bareRoom } = world;
  if (!synapse || !session || !magi?.child.pid || !bare?.pid || !magiRoom || !bareRoom) throw new Error("world not started");
  const pids: Record<Bot, number> = { magi: magi.child.pid, bare: bare.pid };
  const rooms: Record<Bot, string> = { magi: magiRoom, bare: bareRoom };
  const client = new TestUser(synapse.baseUrl, session.userId, session.accessToken);
  const sync = await startSyncClient(synapse.baseUrl, session.accessToken);
  const samples: Record<Bot, Samples> = { magi: { client: [], server: [], cpuMs: 0 }, bare: { client: [], server: [], cpuMs: 0 } };
  // One ping: the time from just before the PUT to the reply coming down the client's sync.
  const ping = async (bot: Bot, keep: boolean) => {
    const cpuBefore = readCpuMs(pids[bot]);
    const sent = performance.now();
    const commandId = await client.say(rooms[bot], "!ping");
    const seen = await Promise.race([sync.waitForReply(commandId), sync.loop.then(() => Promise.reject(new Error("the client's sync stopped")))]);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    if (!keep) return;
    samples[bot].client.push(seen.arrivedAt - sent);
    samples[bot].server.push(seen.replyTs - seen.commandTs);
    samples[bot].cpuMs += readCpuMs(pids[bot]) - cpuBefore;
  };
  const load = readLoadAverages();
  try {
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      for (const bot of shuffleCopy<Bot>(["magi", "bare"])) await ping(bot, round >= WARMUP_ROUNDS);
      if ((round + 1) % 50 === 0) process.stderr.write(`bench:ping: ${round + 1}/${WARMUP_ROUNDS + ROUNDS} rounds\n`);
    }
  } finally {
    await sync.stop();
  }
  const { magi: m, bare: b } = samples;
  console.log(`ping: ${ROUNDS} rounds per bot after ${WARMUP_ROUNDS} warm-up rounds, magi and the bare matrix-bot-sdk 0.7.1 bot in shuffled order each round, ${PAUSE_MS} ms pause after each reply`);
  console.log(`/proc/loadavg before and after: ${load}; ${readLoadAverages()}`);
  console.log(`client round trip (PUT !ping -> reply in the client's /sync long-poll):`);
  console.log(`  magi ${summarize(m.client)}`);
  console.log(`  bare ${summarize(b.client)}`);
  console.log(`  magi/bare p50 ${ratioAt(m.client, b.client, 0.5)} (goal <= 1.05, stretch <= 0.95), p90 ${ratioAt(m.client, b.client, 0.9)}, p99 ${ratioAt(m.client, b.client, 0.99)} (goal <= 1.2)`);
  console.log(`server side (command's origin_server_ts -> reply's origin_server_ts):`);
  console.log(`  magi ${summarize(m.server)}`);
  console.log(`  bare ${summarize(b.server)}`);
  console.log(`  magi/bare p50 ${ratioAt(m.server, b.server, 0.5)}, p99 ${ratioAt(m.server, b.server, 0.99)}`);
  // /proc counts in 10 ms ticks, so only the sum over all rounds is meaningful.
  console.log(`CPU per ping (utime+stime from /proc over the measured rounds): magi ${(m.cpuMs / ROUNDS).toFixed(2)} ms, bare ${(b.cpuMs / ROUNDS).toFixed(2)} ms`);
  console.log(`ping: magi/bare p50=${ratioAt(m.client, b.client, 0.5)} p99=${ratioAt(m.client, b.client, 0.99)} rounds=${ROUNDS}`);
}

process.exitCode = await runBench("ping", (dir) => {
  const world: PingWorld = { dir };
  return {
    async start() {
      const started = Date.now();
      await startPingWorld(world);
      process.stderr.write(`bench:ping: Synapse, magi and the bare bot ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
    measure: () => measure(world),
    stop: () => stopPingWorld(world),
  };
});
