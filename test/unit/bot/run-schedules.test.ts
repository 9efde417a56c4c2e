// Rounds of a schedule against real SQLite, with a fake clock and statuses handed in (SSH is the e2e test's part):
// a change becomes one alert group, recovery resolves that same group, and a reopened database (a restart) neither
// announces a known problem again nor forgets it. Run alone: npx vitest run test/unit/bot/run-schedules.test.ts
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createAlertsPort } from "../../../bot/alerts-port.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { retireUnwatched, runScheduleRound } from "../../../bot/run-schedules.ts";
import { configSchema } from "../../../config/schema.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import type { HostStatus } from "../../../runners/status/types.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 14, 2);
const HOSTS: HostEntry[] = ["kaji", "nas"].map((name) => ({ name, address: "127.0.0.1", tags: [] }));
const config = configSchema.parse({
  matrix: { homeserver_url: "https://m.example.org", user_id: "@magi:example.org", access_token_file: "t" }, rooms: {},
  hosts: { kaji: { address: "127.0.0.1" }, nas: { address: "127.0.0.1" } },
  schedules: { fleet: { cron: "*/5 * * * *", room: "!ops:example.org" } },
});
const SCHEDULE = config.schedules.fleet!;

const unreachable = (host: string): HostStatus => ({ host, reach: "unreachable", note: "connection refused", elapsedMs: 2 });
const up = (host: string, pools: { name: string; state: string }[] = []): HostStatus => ({
  host, reach: "up", elapsedMs: 200, diskThresholdPercent: 90,
  uptime: { kind: "absent", note: "" }, nixos: { kind: "absent", note: "not NixOS" }, system: { kind: "absent", note: "not NixOS" },
  failedUnits: { kind: "ok", value: [] }, disks: { kind: "ok", value: [] }, zfs: { kind: "ok", value: pools }, checks: [],
});

// A schedule whose rounds see the statuses queued for them, one minute apart, over the database at path.
function setUp(path: string, start = T0) {
  const db = openDatabase(path);
  let clock = start;
  let nudges = 0;
  const round = async (statuses: HostStatus[]) => {
    await runScheduleRound("fleet", SCHEDULE, HOSTS, { db, log: pino({ level: "silent" }), now: () => clock, changed: () => void nudges++, status: { collect: async () => statuses } });
    clock += MIN;
  };
  const alerts = createAlertStore<GroupState, AlertView>(db);
  // Each group's message as the room would read it, newest revision.
  const messages = () => alerts.pending().map((g) => renderBlocks(g.view.blocks).body);
  return { db, round, alerts, messages, nudges: () => nudges, clock: () => clock };
}

describe("scheduled rounds", () => {
  it("posts a problem once after two rounds, resolves the same group when it is gone two rounds, and nothing in between", async () => {
    const { round, alerts, messages, nudges } = setUp(":memory:");
    await round([up("kaji"), up("nas")]);
    await round([unreachable("kaji"), up("nas")]);
    expect([alerts.pending(), nudges()]).toEqual([[], 0]);
    await round([unreachable("kaji"), up("nas")]);
    expect(messages()).toEqual(["🔥 kaji: unreachable since 14:03 (2 checks) — connection refused"]);
    const [group] = alerts.pending();
    alerts.handOff(group!.id, () => "$posted");
    await round([unreachable("kaji"), up("nas")]);
    await round([up("kaji"), up("nas")]);
    expect([alerts.pending(), nudges()]).toEqual([[], 1]);
    await round([up("kaji"), up("nas")]);
    expect(alerts.pending().map((g) => [g.id, g.messageRef, g.resolved, renderBlocks(g.view.blocks).body])).toEqual([[group!.id, "$posted", true, "✅ kaji: back after 3 min (unreachable since 14:03)"]]);
    expect(nudges()).toBe(2);
  });

  it("lists confirmed problems in !alerts, and after a restart neither announces them again nor forgets them", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "magi-schedules-")), "magi.sqlite");
    const first = setUp(path);
    for (let i = 0; i < 2; i++) await first.round([up("kaji"), up("nas", [{ name: "tank", state: "DEGRADED" }])]);
    expect(first.messages()).toEqual(["🔥 nas: pool tank DEGRADED — since 14:02 (2 checks)"]);
    first.alerts.handOff(first.alerts.pending()[0]!.id, () => "$tank");
    expect(createAlertsPort(first.db).firing()).toEqual([{ route: "schedule:fleet", name: "nas · zfs", alerts: [{ alertname: "pool tank DEGRADED", instance: "nas", severity: undefined, since: T0 }] }]);
    const resumeAt = first.clock();
    first.db.close();

    const second = setUp(path, resumeAt);
    for (let i = 0; i < 3; i++) await second.round([up("kaji"), up("nas", [{ name: "tank", state: "DEGRADED" }])]);
    expect([second.alerts.pending(), second.nudges()]).toEqual([[], 0]);
    for (let i = 0; i < 2; i++) await second.round([up("kaji"), up("nas")]);
    expect(second.messages()).toEqual(["✅ nas: pool tank DEGRADED — resolved after 5 min"]);
    expect(second.alerts.pending()[0]!.messageRef).toBe("$tank");
    expect(createAlertsPort(second.db).firing()).toEqual([]);
  });

  it("keeps what it knows of a host's pools while the host does not answer", async () => {
    const { round, alerts, messages } = setUp(":memory:");
    for (let i = 0; i < 2; i++) await round([up("kaji"), up("nas", [{ name: "tank", state: "DEGRADED" }])]);
    alerts.handOff(alerts.pending()[0]!.id, () => "$tank");
    for (let i = 0; i < 2; i++) await round([up("kaji"), unreachable("nas")]);
    expect(messages()).toEqual(["🔥 nas: unreachable since 14:04 (2 checks) — connection refused"]);
    expect(alerts.open().map((g) => g.groupKey)).toEqual(["nas/zfs:tank", "nas/reachability"]);
  });

  it("resolves a dropped host's open problems once, with why, and forgets its tracks", async () => {
    const { db, round, alerts, messages } = setUp(":memory:");
    for (let i = 0; i < 2; i++) await round([unreachable("kaji"), up("nas", [{ name: "tank", state: "DEGRADED" }])]);
    for (const g of alerts.pending()) alerts.handOff(g.id, () => `$${g.groupKey}`);
    const inventory = new Map(HOSTS.map((h) => [h.name, { ...h, ssh: { user: "magi", port: 22, sudo: false } } as unknown as HostEntry]));
    const at = T0 + 30 * MIN;
    expect(retireUnwatched({ schedules: { fleet: { ...SCHEDULE, hosts: ["kaji"] } }, inventory, db }, at)).toEqual(["nas/zfs:tank"]);
    expect(alerts.pending().map((g) => [g.messageRef, g.resolved, renderBlocks(g.view.blocks).body])).toEqual([["$nas/zfs:tank", true, "✅ nas: pool tank DEGRADED — no longer watched by schedule fleet"]]);
    alerts.handOff(alerts.pending()[0]!.id, () => "$nas/zfs:tank");
    expect(retireUnwatched({ schedules: { fleet: { ...SCHEDULE, hosts: ["kaji"] } }, inventory, db }, at)).toEqual([]);
    // Watched again, nas starts clean: a degraded pool is a new problem after two rounds, in a new message.
    for (let i = 0; i < 2; i++) await round([unreachable("kaji"), up("nas", [{ name: "tank", state: "DEGRADED" }])]);
    expect(messages()).toEqual(["🔥 nas: pool tank DEGRADED — since 14:04 (2 checks)"]);
    // A schedule taken out of the config resolves everything it left open.
    expect(retireUnwatched({ schedules: {}, inventory, db }, at).sort()).toEqual(["kaji/reachability", "nas/zfs:tank"]);
  });
});
