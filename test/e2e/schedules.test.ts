// Scheduled fleet checks through a real magi process, a real Synapse and real sshd hosts running the fake NixOS tools,
// on a schedule of seconds: only confirmed changes are posted, a recovery edits the problem's message, and a restart
// neither announces known problems again nor forgets them. Run alone: npx vitest run --project e2e test/e2e/schedules.test.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../wait-until.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TimelineEvent } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, latestBody, waitForBody } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/nixos", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "magi-schedules-e2e-"));
const SYSTEM = (host: string) => `/nix/store/${"abcdef0".padEnd(32, "x")}-nixos-system-${host}-24.11.20241201.abcdef0`;
const FAILED_UNITS = '[{"unit":"nginx.service","load":"loaded","active":"failed","sub":"failed","description":"Nginx Web Server"}]\n';
const DEGRADED = "  pool: tank\n state: DEGRADED\nstatus: One or more devices could not be used.\nconfig:\n\n\tNAME        STATE     READ WRITE CKSUM\n\ttank        DEGRADED     0     0     0\n\t  mirror-0  DEGRADED     0     0     0\n\t    sda     ONLINE       0     0     0\n\t    sdb     UNAVAIL      0     0     0\n\nerrors: No known data errors\n";
const CLOCK = /\d\d:\d\d/.source;

// A NixOS test host whose fake tools answer from files in its own dir (booted = current: no reboot pending).
async function startHost(name: string, files: Record<string, string>): Promise<TestSshd> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(home, file), content);
  return startSshd({ dir, name, env: { MAGI_FAKE_DIR: home, HOME: home }, pathPrefix: FAKES, runLinks: { "current-system": SYSTEM(name), "booted-system": SYSTEM(name) } });
}

describe("scheduled fleet checks", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  const hosts: Record<string, TestSshd> = {};

  beforeAll(async () => {
    const [kaji, misato, nas] = await Promise.all([
      startHost("kaji", {}),
      startHost("misato", {}),
      startHost("nas", { "zpool-status.txt": "all pools are healthy\n" }),
    ]);
    Object.assign(hosts, { kaji, misato, nas });
    fx = await createMagiFixture("schedules");
    fx.config = {
      hosts: { kaji: hostConfigFor(kaji!, { tags: ["k3s"] }), misato: hostConfigFor(misato!, { tags: ["k3s"] }), nas: hostConfigFor(nas!) },
      status: { timeout_seconds: 1, concurrency: 4 },
      schedules: { fleet: { cron: "*/2 * * * * *", tz: "Europe/Berlin", room: fx.roomId, hosts: ["@k3s", "nas"], confirm_after: 2 } },
    };
    bot = await fx.start();
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await Promise.all(Object.values(hosts).map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const botEvents = async () => (await fx.admin.timeline(fx.roomId, 300)).filter((e) => e.sender === fx.botUserId && e.type === "m.room.message");
  const isEdit = (e: TimelineEvent) => e.content["m.relates_to"]?.rel_type === "m.replace";
  const posts = async () => (await botEvents()).filter((e) => !isEdit(e));
  const editsOf = async (eventId: string) => (await botEvents()).filter((e) => isEdit(e) && e.content["m.relates_to"].event_id === eventId);
  const rounds = () => bot.logs.filter((l) => l.msg === "schedule round done" && l.schedule === "fleet");
  // Waits until count more rounds have committed.
  const waitRounds = (count: number) => {
    const target = rounds().length + count;
    return waitUntil(`${count} schedule rounds`, () => rounds().length >= target, { timeoutMs: 30_000, intervalMs: 100 });
  };
  const waitForPost = (pattern: RegExp) => waitUntil(`a post matching ${pattern}`, async () => (await posts()).find((e) => pattern.test(String(e.content.body))), { timeoutMs: 30_000, intervalMs: 200 });

  it("posts nothing while nothing changes", async () => {
    await waitRounds(4);
    expect(rounds().every((r) => r.hosts === 3 && r.changes.length === 0)).toBe(true);
    expect(await botEvents()).toEqual([]);
  });

  it("posts a failed unit and a degraded pool once each, after two rounds that see them", async () => {
    writeFileSync(join(dir, "misato", "failed-units.json"), FAILED_UNITS);
    writeFileSync(join(dir, "nas", "zpool-status.txt"), DEGRADED);
    const from = rounds().length;
    const unit = await waitForPost(/nginx/);
    const pool = await waitForPost(/tank/);
    expect(unit.content.body).toMatch(new RegExp(`^🔥 misato: unit nginx.service failed — since ${CLOCK} \\(2 checks\\)$`));
    expect(pool.content.body).toMatch(new RegExp(`^🔥 nas: pool tank DEGRADED — since ${CLOCK} \\(2 checks\\)$`));
    // The round that first saw them changed nothing; the next one confirmed both.
    const changing = rounds().slice(from).findIndex((r) => r.changes.length > 0);
    expect(changing).toBeGreaterThanOrEqual(1);
    await waitRounds(3);
    expect((await botEvents()).map((e) => e.event_id)).toEqual([unit.event_id, pool.event_id]);
  });

  it("posts a host whose sshd stopped once after two rounds, and edits that message once when it is back", async () => {
    hosts.kaji!.pause();
    let down: TimelineEvent;
    try {
      down = await waitForPost(/kaji/);
      expect(down.content.body).toMatch(new RegExp(`^🔥 kaji: unreachable since ${CLOCK} \\(2 checks\\) — no answer within 1 s$`));
      await waitRounds(2);
      expect(await editsOf(down.event_id)).toEqual([]);
    } finally {
      hosts.kaji!.resume();
    }
    const back = await waitForBody(fx.admin, fx.roomId, down.event_id, /^✅ kaji: back after \d+ s \(unreachable since \d\d:\d\d\)$/);
    expect(back).toMatch(/back after/);
    await waitRounds(3);
    expect(await editsOf(down.event_id)).toHaveLength(1);
    expect((await posts()).map((e) => String(e.content.body).split(":")[0])).toEqual(["🔥 misato", "🔥 nas", "🔥 kaji"]);
  });

  it("after a restart, announces nothing again, lists the open problems in !alerts, and still resolves them", async () => {
    const before = (await botEvents()).length;
    await bot.stop();
    bot = await fx.start();
    await waitRounds(4);
    expect(await botEvents()).toHaveLength(before);
    const command = await fx.admin.say(fx.roomId, "!alerts");
    const reply = String((await fx.admin.waitForReply(fx.roomId, command)).content.body);
    expect(reply).toMatch(/^2 alerts firing in 2 groups:/);
    expect(reply).toContain("schedule:fleet: misato · failed_units");
    expect(reply).toContain("unit nginx.service failed on misato");
    expect(reply).toContain("pool tank DEGRADED on nas");
    rmSync(join(dir, "misato", "failed-units.json"));
    const unit = (await posts()).find((e) => /nginx/.test(String(e.content.body)))!;
    await waitForBody(fx.admin, fx.roomId, unit.event_id, /^✅ misato: unit nginx.service failed — resolved after \d+ (s|min)/);
    expect(latestBody(await fx.admin.timeline(fx.roomId, 300), (await posts()).find((e) => /tank/.test(String(e.content.body)))!.event_id)).toMatch(/^🔥 nas: pool tank DEGRADED/);
  });

  it("posts a digest of the fleet at its own schedule, from the problems it has confirmed", async () => {
    await bot.stop();
    fx.config.schedules.fleet.digest_cron = "*/3 * * * * *";
    bot = await fx.start();
    const digest = await waitForPost(/^📋/);
    expect(digest.content.body).toMatch(new RegExp(`^📋 fleet: 2 of 3 hosts fine, 1 open problem\n• nas: pool tank DEGRADED — since ${CLOCK}$`));
  });

  it("silences a problem from chat without any Alertmanager: the message shows it, a recovery under it is held back, !unsilence shows the recovery", async () => {
    const tank = (await posts()).find((e) => /tank/.test(String(e.content.body)))!;
    const asked = await fx.admin.say(fx.roomId, "!silence 1h disk being replaced", { "m.relates_to": { "m.in_reply_to": { event_id: tank.event_id } } });
    const reply = String((await fx.admin.waitForReply(fx.roomId, asked, 20_000)).content.body);
    expect(reply).toMatch(/^🔕 Silenced host="nas", key="zfs:tank", kind="zfs", schedule="fleet" until .* UTC \(1h\): disk being replaced\nSilence (magi-[0-9a-f]{12}); !unsilence \1 ends it early\.$/);
    const id = /Silence (magi-[0-9a-f]{12});/.exec(reply)![1]!;
    await waitForBody(fx.admin, fx.roomId, tank.event_id, new RegExp(`^🔥 nas: pool tank DEGRADED — since ${CLOCK} \\(2 checks\\)\n🔕 Silenced by ${fx.admin.userId.replace(/[.]/g, "\\.")} until .* UTC \\(disk being replaced\\); silence ${id}$`));
    const listed = await fx.admin.say(fx.roomId, "!silences");
    expect(String((await fx.admin.waitForReply(fx.roomId, listed)).content.body)).toMatch(new RegExp(`^1 active silence:\n[^]*${id}`));
    writeFileSync(join(dir, "nas", "zpool-status.txt"), "all pools are healthy\n");
    const edits = (await editsOf(tank.event_id)).length;
    await waitRounds(4);
    expect(await editsOf(tank.event_id)).toHaveLength(edits);
    const ended = await fx.admin.say(fx.roomId, `!unsilence ${id}`);
    expect(String((await fx.admin.waitForReply(fx.roomId, ended)).content.body)).toBe(`🔔 Silence ${id} expired. nas · zfs alerts again.`);
    await waitForBody(fx.admin, fx.roomId, tank.event_id, /^✅ nas: pool tank DEGRADED — resolved after \d+ (s|min)( \d+ s)?$/);
  });
});
