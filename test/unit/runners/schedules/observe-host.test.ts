// What a scheduled round reads from a host's status, and the line each change posts. Run alone:
// npx vitest run test/unit/runners/schedules/observe-host.test.ts
import { describe, expect, it } from "vitest";
import { WATCH_KINDS } from "../../../../domain/fleet-watch.ts";
import { describeChange } from "../../../../runners/schedules/describe-change.ts";
import { describeDigest } from "../../../../runners/schedules/describe-digest.ts";
import { observeHost, sightKey } from "../../../../runners/schedules/observe-host.ts";
import type { HostStatus } from "../../../../runners/status/types.ts";

const OLD = "/nix/store/1234567xxxxxxxxxxxxxxxxxxxxxxxxx-nixos-system-misato-24.11.20241115.1234567";
const NEW = "/nix/store/abcdef0xxxxxxxxxxxxxxxxxxxxxxxxx-nixos-system-misato-24.11.20241201.abcdef0";

// A host that answered, everything fine unless overridden.
function upHost(overrides: Partial<Extract<HostStatus, { reach: "up" }>> = {}): HostStatus {
  return {
    host: "misato", reach: "up", elapsedMs: 300, diskThresholdPercent: 90,
    uptime: { kind: "ok", value: { uptimeSeconds: 100, load: [0, 0, 0] } },
    nixos: { kind: "ok", value: { version: "24.11.20241201.abcdef0" } },
    system: { kind: "ok", value: { current: NEW, booted: NEW } },
    failedUnits: { kind: "ok", value: [] },
    disks: { kind: "ok", value: [{ mount: "/", source: "/dev/sda1", percent: 40 }] },
    zfs: { kind: "absent", note: "no zpool" },
    checks: [],
    ...overrides,
  };
}

describe("observeHost", () => {
  it("names every problem of a host under a stable key, in words the room reads", () => {
    const status = upHost({
      system: { kind: "ok", value: { current: NEW, booted: OLD } },
      failedUnits: { kind: "ok", value: [{ unit: "nginx.service", sub: "failed", description: "Nginx" }] },
      disks: { kind: "ok", value: [{ mount: "/var", source: "/dev/sda2", percent: 93 }, { mount: "/", source: "/dev/sda1", percent: 40 }] },
      zfs: { kind: "ok", value: [{ name: "tank", state: "DEGRADED" }] },
      checks: [{ name: "k8s-nodes", ok: false, note: "stdout includes NotReady" }, { name: "dns", ok: true, note: "" }],
    });
    expect(observeHost(status, WATCH_KINDS).problems).toEqual([
      { key: "failed_units:nginx.service", detail: "unit nginx.service failed" },
      { key: "disks:/var", detail: "disk /var 93% full (threshold 90%)" },
      { key: "reboot", detail: "reboot pending (booted 24.11.20241115.1234567, current 24.11.20241201.abcdef0)" },
      { key: "zfs:tank", detail: "pool tank DEGRADED" },
      { key: "checks:k8s-nodes", detail: "check k8s-nodes failed: stdout includes NotReady" },
    ]);
  });

  it("watches only the kinds asked for", () => {
    const status = upHost({ zfs: { kind: "ok", value: [{ name: "tank", state: "DEGRADED" }] }, failedUnits: { kind: "ok", value: [{ unit: "a.service", sub: "failed", description: "" }] } });
    const seen = observeHost(status, ["zfs"]);
    expect(seen.problems.map((p) => p.key)).toEqual(["zfs:tank"]);
    expect(sightKey(seen, "failed_units:a.service")).toEqual({ present: "unknown" });
  });

  it("knows only reachability of a host that did not answer, so its other problems stay as they were", () => {
    const seen = observeHost({ host: "kaji", reach: "unreachable", note: "connection refused", elapsedMs: 3 }, WATCH_KINDS);
    expect(sightKey(seen, "reachability")).toEqual({ present: true, detail: "connection refused" });
    expect(sightKey(seen, "zfs:tank")).toEqual({ present: "unknown" });
  });

  it("says a problem is gone only where its probe answered", () => {
    const seen = observeHost(upHost({ zfs: { kind: "unknown", note: "no answer within 2 s" } }), WATCH_KINDS);
    expect(sightKey(seen, "zfs:tank")).toEqual({ present: "unknown" });
    expect(sightKey(seen, "reachability")).toEqual({ present: false });
    expect(sightKey(seen, "failed_units:nginx.service")).toEqual({ present: false });
  });
});

describe("describeChange", () => {
  const at = (h: number, m: number) => Date.UTC(2026, 10, 20, h, m);

  it("reads unreachable and back as the team says it, in the schedule's time zone", () => {
    expect(describeChange("kaji", "reachability", { kind: "problem", since: at(14, 2), rounds: 2, detail: "connection refused" }, "UTC"))
      .toBe("🔥 kaji: unreachable since 14:02 (2 checks) — connection refused");
    expect(describeChange("kaji", "reachability", { kind: "recovered", problemSince: at(14, 2), backSince: at(14, 13), detail: "connection refused" }, "Europe/Berlin"))
      .toBe("✅ kaji: back after 11 min (unreachable since 15:02)");
  });

  it("names other problems by their detail, with how long they lasted when resolved", () => {
    expect(describeChange("nas", "zfs:tank", { kind: "problem", since: at(9, 5), rounds: 3, detail: "pool tank DEGRADED" }, "UTC"))
      .toBe("🔥 nas: pool tank DEGRADED — since 09:05 (3 checks)");
    expect(describeChange("nas", "zfs:tank", { kind: "recovered", problemSince: at(9, 5), backSince: at(11, 20), detail: "pool tank DEGRADED" }, "UTC"))
      .toBe("✅ nas: pool tank DEGRADED — resolved after 2h 15m");
  });
});

describe("describeDigest", () => {
  const now = Date.UTC(2026, 10, 20, 9, 0);
  it("summarises the schedule's hosts from their confirmed problems, older ones with their day", () => {
    const open = [
      { host: "nas", key: "zfs:tank", detail: "pool tank DEGRADED", problemSince: Date.UTC(2026, 10, 18, 14, 2) },
      { host: "kaji", key: "reachability", detail: "connection refused", problemSince: Date.UTC(2026, 10, 20, 8, 30) },
      { host: "elsewhere", key: "reboot", detail: "reboot pending", problemSince: now },
    ];
    expect(describeDigest("fleet", ["kaji", "misato", "nas"], open, now, "UTC")).toEqual({
      headline: "📋 fleet: 1 of 3 hosts fine, 2 open problems",
      items: ["kaji: unreachable since 08:30 — connection refused", "nas: pool tank DEGRADED — since Nov 18 14:02"],
    });
    expect(describeDigest("fleet", ["kaji", "misato"], [], now, "UTC")).toEqual({ headline: "📋 fleet: all 2 hosts fine", items: [] });
  });
});
