// Silence lines on alert messages against real SQLite, with Vitest's fake clock: a silence's line leaves the messages
// that show it when the silence ends (also across a restart) or is expired early; a silence covers every open group
// whose firing alerts its matchers all match; magi's own silences of schedule alerts hold their changes back.
// Run alone: npx vitest run test/unit/bot/silences-port.test.ts
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeSink } from "../http/make-sink.ts";
import type { AlertView } from "../../../bot/alert-views.ts";
import { renderBlocks } from "../../../bot/render.ts";
import { runScheduleRound } from "../../../bot/run-schedules.ts";
import { createSilencesPort, createViewExtras } from "../../../bot/silences-port.ts";
import { configSchema } from "../../../config/schema.ts";
import { parseMatchers, type Matcher } from "../../../domain/matchers.ts";
import type { GroupState } from "../../../http/alert-group.ts";
import type { HostStatus } from "../../../runners/status/types.ts";
import { createAlertStore } from "../../../storage/alert-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { createSilenceStore } from "../../../storage/silence-store.ts";
import { makePayload } from "../http/make-payload.ts";

const NOW = Date.parse("2026-11-20T15:00:00Z");
const MIN = 60_000;
const route = { name: "ops", room: "!ops:example.org", mention: [] };
const log = pino({ level: "silent" });
const SCHEDULE = configSchema.parse({
  matrix: { homeserver_url: "https://m.example.org", user_id: "@magi:example.org", access_token_file: "t" }, rooms: {},
  hosts: { nas: { address: "127.0.0.1" }, kaji: { address: "127.0.0.1" } },
  schedules: { fleet: { cron: "*/5 * * * *", room: "!ops:example.org" } },
}).schedules.fleet!;

const matchers = (...tokens: string[]) => parseMatchers(tokens) as Matcher[];
const request = (m: Matcher[], durationMs = 10 * MIN) => ({ matchers: m, durationMs, createdBy: "@dan:example.org", comment: "disk swap" });
const pool = (state: string): HostStatus => ({
  host: "nas", reach: "up", elapsedMs: 200, diskThresholdPercent: 90,
  uptime: { kind: "absent", note: "" }, nixos: { kind: "absent", note: "not NixOS" }, system: { kind: "absent", note: "not NixOS" },
  failedUnits: { kind: "ok", value: [] }, disks: { kind: "ok", value: [] }, zfs: { kind: "ok", value: state === "" ? [] : [{ name: "tank", state }] }, checks: [],
});

// Alertmanager URLs only for rendering: these tests never reach an Alertmanager (the e2e test does).
function setUp(db = openDatabase(":memory:"), urls: Record<string, string> = {}) {
  const store = createAlertStore<GroupState, AlertView>(db);
  const sink = makeSink(db, { store, extras: createViewExtras(db, urls) });
  let nudges = 0;
  const port = createSilencesPort({ db, alertmanagerUrls: urls, nudge: () => void nudges++, log, now: () => Date.now() });
  // What the room has been told of each group: its view once handed off, as a poster would.
  const deliver = () => store.pending().map((g): [unknown, string] => (store.handOff(g.id, () => g.messageRef ?? `$g${g.id}`), [g.messageRef ?? "new", renderBlocks(g.view.blocks).body]));
  const round = (status: HostStatus | HostStatus[]) => {
    const statuses = Array.isArray(status) ? status : [status];
    const hosts = statuses.map((st) => ({ name: st.host, address: "127.0.0.1", tags: [] }));
    return runScheduleRound("fleet", SCHEDULE, hosts, { db, log, now: () => Date.now(), changed: () => {}, status: { collect: async () => statuses } });
  };
  return { db, store, sink, port, deliver, round, nudges: () => nudges };
}

const silenceLine = (id: string, until: string) => `🔕 Silenced by @dan:example.org until ${until} UTC (disk swap); silence ${id}`;

describe("silence lines on alert messages", () => {
  beforeEach(() => void vi.useFakeTimers({ now: NOW, toFake: ["setTimeout", "clearTimeout", "Date"] }));
  afterEach(() => void vi.useRealTimers());

  it("takes a held silence's line off the message when it ends, and once more only after a restart that slept through the end", async () => {
    const { db, port, deliver, round } = setUp();
    await round(pool("DEGRADED"));
    await round(pool("DEGRADED"));
    expect(deliver()).toEqual([["new", "🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)"]]);
    const made = await port.create("schedule:fleet", request(matchers("host=nas", "kind=zfs")), undefined);
    if (!made.ok) throw new Error(made.message);
    expect(made.id).toMatch(/^magi-[0-9a-f]{12}$/);
    expect(deliver()).toEqual([["$g1", `🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)\n${silenceLine(made.id, "2026-11-20 15:10")}`]]);
    vi.advanceTimersByTime(10 * MIN - 1);
    expect(deliver()).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(deliver()).toEqual([["$g1", "🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)"]]);

    // A second silence, then magi stops and sleeps through its end: the new start shows the end once.
    const second = await port.create("schedule:fleet", request(matchers("kind=zfs"), 5 * MIN), undefined);
    if (!second.ok) throw new Error(second.message);
    deliver();
    port.stop();
    vi.setSystemTime(Date.now() + 20 * MIN);
    const again = setUp(db);
    expect(again.deliver()).toEqual([["$g1", "🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)"]]);
    again.port.stop();
    expect(setUp(db).deliver()).toEqual([]);
  });

  it("takes an Alertmanager silence's line off every group it marked when it ends", async () => {
    const { db, sink, deliver, port } = setUp();
    await sink.accept(route, makePayload("g:disk", [{ instance: "nas" }]));
    await sink.accept(route, makePayload("g:cpu", [{ name: "CpuHot", instance: "nas" }]));
    deliver();
    // As the port records a silence Alertmanager accepted (the e2e test makes real ones): both groups marked.
    const id = "6f1c2d3e-0a1b-4c5d-8e9f-001122334455";
    createSilenceStore(db).record({ silenceId: id, route: "ops", groupId: 1, matchers: matchers("instance=nas"), createdBy: "@dan:example.org", comment: "disk swap", endsAt: NOW + 2 * MIN, createdAt: NOW }, [1, 2]);
    port.stop();
    const next = setUp(db);
    expect(next.deliver()).toEqual([]);
    await sink.accept(route, makePayload("g:disk", [{ instance: "nas" }, { instance: "nas2" }]));
    await sink.accept(route, makePayload("g:cpu", [{ name: "CpuHot", instance: "nas" }, { name: "CpuHot", instance: "nas2" }]));
    expect(next.deliver().map(([, body]) => body.split("\n").filter((l) => l.startsWith("🔕")))).toEqual([[silenceLine(id, "2026-11-20 15:02")], [silenceLine(id, "2026-11-20 15:02")]]);
    vi.advanceTimersByTime(2 * MIN + 10);
    expect(next.deliver().map(([ref, body]) => [ref, body.includes("🔕")])).toEqual([["$g1", false], ["$g2", false]]);
    next.port.stop();
  });

  it("marks every open schedule group the held silence's matchers cover, and no other", async () => {
    const { port, deliver, round } = setUp();
    const other = (host: string, state: string): HostStatus => ({ ...pool(state), host });
    await round([pool("DEGRADED"), other("kaji", "DEGRADED")]);
    await round([pool("DEGRADED"), other("kaji", "DEGRADED")]);
    deliver();
    // A reply to one problem's message silences that problem on that host, not by its changing text.
    expect(port.groupAt("!ops:example.org", "$g1")).toEqual({ groupId: 1, route: "schedule:fleet", name: "nas · zfs", commonLabels: { host: "nas", key: "zfs:tank", kind: "zfs", schedule: "fleet" } });
    const made = await port.create("schedules", request(matchers("host=~na.*", "kind=zfs")), undefined);
    if (!made.ok) throw new Error(made.message);
    expect(deliver()).toEqual([["$g1", `🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)\n${silenceLine(made.id, "2026-11-20 15:10")}`]]);
    port.stop();
  });

  it("holds back a schedule change a held silence covers, shows the line, and posts the change when the silence is expired", async () => {
    const { port, deliver, round } = setUp();
    const made = await port.create("schedules", request(matchers("host=nas", "kind=zfs")), undefined);
    if (!made.ok) throw new Error(made.message);
    await round(pool("DEGRADED"));
    await round(pool("DEGRADED"));
    expect(deliver()).toEqual([]);
    const listed = await port.listActive();
    expect(listed.map((l) => [l.route, l.ok && l.silences.map((s) => s.id)])).toEqual([["schedules", [made.id]]]);
    expect(await port.expire(made.id)).toEqual({ ok: true, route: "schedules", groupName: "nas · zfs" });
    expect(deliver()).toEqual([["new", "🔥 nas: pool tank DEGRADED — since 15:00 (2 checks)"]]);
    expect(await port.expire(made.id)).toEqual({ ok: false, message: `Silence ${made.id} has already ended.` });
    expect(await port.expire("magi-000000000000")).toEqual({ ok: false, message: "magi holds no silence magi-000000000000." });
    port.stop();
  });

  it("never posts a change that came and went under a held silence", async () => {
    const { port, deliver, round } = setUp();
    const made = await port.create("schedules", request(matchers("kind=zfs")), undefined);
    if (!made.ok) throw new Error(made.message);
    for (const state of ["DEGRADED", "DEGRADED", "", ""]) await round(pool(state));
    expect(deliver()).toEqual([]);
    vi.advanceTimersByTime(11 * MIN);
    expect(deliver()).toEqual([]);
    port.stop();
  });
});
