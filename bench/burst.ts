// npm run bench:burst — a burst of !ping from many people against a real magi on a real Synapse whose rc_message
// limits every account (magi's included, no override): how many replies are lost or doubled, how many PUTs magi
// spends per delivered reply (Synapse's own access log counts them), and how close the last reply comes to the floor.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { registerUser } from "../bot/synapse/register-user.ts";
import { startSynapse, type RunningSynapse } from "../bot/synapse/start-synapse.ts";
import { startBotProcess, type BotProcess } from "../test/e2e/harness/bot-process.ts";
import { TestUser } from "../test/e2e/harness/matrix-user.ts";

const PEOPLE = 10;
const PER_PERSON = 5;
const SPREAD_MS = 20_000;
// Synapse's default rc_message is 0.2/s with a burst of 10; the same shape at 1/s ends in under a minute.
const RC_MESSAGE = { per_second: 1, burst_count: 10 };
const WATCHDOG_MS = 240_000;

type Event = { event_id: string; sender: string; origin_server_ts: number; content: Record<string, any> };

// magi's PUT /send responses by status, from Synapse's access log.
function countPuts(synapse: RunningSynapse, botUserId: string): { ok: number; limited: number } {
  const lines = readFileSync(join(synapse.dataDir, "homeserver.log"), "utf8").split("\n");
  const puts = lines.filter((l) => l.includes(`{${botUserId}}`) && l.includes("Processed request") && /"PUT [^"]*\/send\//.test(l));
  return { ok: puts.filter((l) => / 200 "PUT/.test(l)).length, limited: puts.filter((l) => / 429 "PUT/.test(l)).length };
}

async function sendBurst(people: TestUser[], roomId: string): Promise<string[]> {
  const total = PEOPLE * PER_PERSON;
  const commands: Promise<string>[] = [];
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * SPREAD_MS) / total;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    commands.push(people[i % PEOPLE]!.say(roomId, "!ping"));
  }
  return Promise.all(commands);
}

async function run(dir: string, state: { synapse?: RunningSynapse; bot?: BotProcess }): Promise<void> {
  const synapse = (state.synapse = await startSynapse({ dataDir: join(dir, "synapse"), rateLimits: { rc_message: RC_MESSAGE } }));
  const botUser = await registerUser(synapse, { username: "magi-burst", password: "bench-password" });
  const owner = await registerUser(synapse, { username: "owner-burst", password: "bench-password" });
  const admin = new TestUser(synapse.baseUrl, owner.userId, owner.accessToken);
  const roomId = await admin.createRoom([botUser.userId]);
  const people: TestUser[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const s = await registerUser(synapse, { username: `person${i}-burst`, password: "bench-password" });
    const person = new TestUser(synapse.baseUrl, s.userId, s.accessToken);
    await admin.invite(roomId, person.userId);
    await person.join(roomId);
    people.push(person);
  }
  writeFileSync(join(dir, "token"), `${botUser.accessToken}\n`, { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: synapse.baseUrl, user_id: botUser.userId, access_token_file: "token" },
    storage: { path: "magi.sqlite" },
    access: { users: Object.fromEntries([[admin.userId, "admin"], ...people.map((p) => [p.userId, "communication"])]) },
    rooms: { [roomId]: {} },
  };
  writeFileSync(join(dir, "config.yaml"), stringify(config));
  state.bot = await startBotProcess(join(dir, "config.yaml"), { MAGI_LOG_LEVEL: "info" });
  // Joining the room and any start-up notices are magi's own sends too; only the burst's are counted.
  await admin.waitFor(roomId, (e) => e.sender === botUser.userId);
  const before = countPuts(synapse, botUser.userId);

  const total = PEOPLE * PER_PERSON;
  const floorS = (total - RC_MESSAGE.burst_count) / RC_MESSAGE.per_second;
  console.log(`burst: ${PEOPLE} people × ${PER_PERSON} !ping over ${SPREAD_MS / 1000} s; Synapse rc_message ${RC_MESSAGE.per_second}/s burst ${RC_MESSAGE.burst_count} for every account, magi's included (default: 0.2/s burst 10)`);
  const commands = await sendBurst(people, roomId);
  const deadline = Date.now() + (floorS * 2 + 30) * 1000;
  let replies: Event[] = [];
  for (;;) {
    const timeline = (await admin.timeline(roomId, 1000)) as Event[];
    replies = timeline.filter((e) => e.sender === botUser.userId && commands.includes(e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id));
    if (new Set(replies.map((r) => r.content["m.relates_to"]["m.in_reply_to"].event_id)).size === total || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  // A moment more, so a late duplicate shows.
  await new Promise((r) => setTimeout(r, 3_000));
  const timeline = (await admin.timeline(roomId, 1000)) as Event[];
  replies = timeline.filter((e) => e.sender === botUser.userId && commands.includes(e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id));
  const answered = new Map<string, number>();
  for (const r of replies) answered.set(r.content["m.relates_to"]["m.in_reply_to"].event_id, (answered.get(r.content["m.relates_to"]["m.in_reply_to"].event_id) ?? 0) + 1);
  const lost = commands.filter((c) => !answered.has(c)).length;
  const duplicated = [...answered.values()].reduce((n, k) => n + (k - 1), 0);
  const after = countPuts(synapse, botUser.userId);
  const puts = after.ok - before.ok + after.limited - before.limited;
  const firstCommand = Math.min(...timeline.filter((e) => commands.includes(e.event_id)).map((e) => e.origin_server_ts));
  const lastReplyS = (Math.max(...replies.map((r) => r.origin_server_ts)) - firstCommand) / 1000;
  const magiCounted = state.bot.logs.filter((l) => l.msg === "homeserver rate limit: the send queue waits").length;
  console.log(`Synapse saw ${puts} PUTs from magi for ${replies.length} replies: ${after.ok - before.ok} accepted, ${after.limited - before.limited} refused with 429 (magi counted ${magiCounted})`);
  console.log(`floor: (${total} replies − burst ${RC_MESSAGE.burst_count}) ÷ ${RC_MESSAGE.per_second}/s = ${floorS} s after the first command`);
  console.log(`burst: lost=${lost} duplicated=${duplicated} puts_per_reply=${(puts / Math.max(1, replies.length)).toFixed(2)} last_reply_s=${lastReplyS.toFixed(1)} floor_s=${floorS.toFixed(1)} ratio=${(lastReplyS / floorS).toFixed(2)}`);
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "magi-bench-burst-"));
  const state: { synapse?: RunningSynapse; bot?: BotProcess } = {};
  const watchdog = setTimeout(() => {
    console.error(`bench:burst: gave up after ${WATCHDOG_MS / 1000} s`);
    void Promise.allSettled([state.bot?.kill(), state.synapse?.stop()]).then(() => process.exit(1));
  }, WATCHDOG_MS);
  try {
    await run(dir, state);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await state.bot?.stop().catch(() => state.bot?.kill());
    await state.synapse?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
