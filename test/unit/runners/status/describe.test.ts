import { describe, expect, it } from "vitest";
import { assessHost } from "../../../../runners/status/assess.ts";
import { describeDetail } from "../../../../runners/status/describe-detail.ts";
import { describeRow, describeTally } from "../../../../runners/status/describe-row.ts";
import { formatUptime } from "../../../../runners/status/format.ts";
import type { HostStatus } from "../../../../runners/status/types.ts";
import { exited, OUTPUTS } from "./make-result.ts";

const OPTS = { timeoutMs: 2000, elapsedMs: 400, diskThresholdPercent: 90 };
const K8S = { name: "k8s-nodes", command: ["kubectl", "get", "nodes"], ok: { exitCode: 0, stdoutExcludes: "NotReady" } };

const misato = assessHost("misato", {
  probes: {
    proc: exited(0, OUTPUTS.proc), links: exited(0, OUTPUTS.links), nixos: exited(0, OUTPUTS.nixos),
    units: exited(0, OUTPUTS.units), zfs: exited(0, OUTPUTS.zfsDegraded), disks: exited(0, OUTPUTS.df),
  },
  checks: [{ check: K8S, result: exited(0, "balthasar NotReady\n") }],
}, OPTS);

const healthy = assessHost("melchior", {
  probes: {
    proc: exited(0, "3725.2 7000.1\n0.05 0.10 0.08 1/300 4242\n"),
    links: exited(1, "/nix/store/a-nixos-system-melchior-24.11\n/nix/store/a-nixos-system-melchior-24.11\n"),
    nixos: exited(0, OUTPUTS.nixos), units: exited(0, "[]\n"), zfs: exited(0, OUTPUTS.zfsHealthy),
    disks: exited(0, "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda2 100 14 86 14% /\n"),
  },
  checks: [],
}, OPTS);

const nas = assessHost("nas", {
  probes: {
    proc: exited(0, OUTPUTS.proc), links: exited(1, ""), nixos: exited(127, ""), units: exited(127, ""),
    zfs: exited(127, ""), disks: exited(0, "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/md0 100 50 50 50% /volume1\n"),
  },
  checks: [],
}, OPTS);

const casper: HostStatus = { host: "casper", reach: "unreachable", note: "no answer within 2 s", elapsedMs: 2001 };
const vps: HostStatus = { host: "vps", reach: "no-ssh" };

describe("fleet rows", () => {
  it("gives one compact row per host", () => {
    expect(describeRow(misato)).toEqual([
      "misato", "attention", "14d 6h", "0.52", "24.11.20241201.abcdef0 gen 42",
      "reboot pending; failed: nginx.service, restic-backups-nas.service; disk / 93%; zfs tank DEGRADED; check k8s-nodes failed",
    ]);
    expect(describeRow(healthy)).toEqual(["melchior", "ok", "1h 2m", "0.05", "24.11.20241201.abcdef0", "—"]);
    expect(describeRow(nas)).toEqual(["nas", "ok", "14d 6h", "0.52", "not NixOS", "—"]);
    expect(describeRow(casper)).toEqual(["casper", "unreachable", "—", "—", "—", "no answer within 2 s"]);
    expect(describeRow(vps)).toEqual(["vps", "no ssh configured", "—", "—", "—", "—"]);
  });

  it("tallies the fleet", () => {
    expect(describeTally([misato, healthy, nas, casper, vps], 2140)).toBe("5 hosts in 2.1 s: 2 ok, 1 attention, 1 unreachable, 1 no ssh configured");
  });
});

describe("detail view", () => {
  it("lists every fact for a NixOS host", () => {
    expect(describeDetail(misato)).toEqual({
      headline: "misato: attention (answered in 0.4 s)",
      items: [
        "uptime: 14d 6h 56m",
        "load: 0.52 0.41 0.30",
        "NixOS: 24.11.20241201.abcdef0 (nixpkgs abcdef012345, configuration 9c1a2b3c4d5e)",
        "generation: 42",
        "current system: /nix/store/8k2vq0xw6f3m1d5a9r7c4n2p0s8t6y1b-nixos-system-misato-24.11.20241201.abcdef0",
        "reboot pending: yes — booted /nix/store/1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p-nixos-system-misato-24.11.20241115.1234567",
        "failed units: nginx.service (failed), restic-backups-nas.service (failed)",
        "disks: / 93% (at or over 90%), /boot 41%",
        "ZFS: tank DEGRADED",
        'check k8s-nodes: failed — output contains "NotReady"',
      ],
    });
  });

  it("says what does not apply instead of inventing it", () => {
    expect(describeDetail(healthy).items).toContain("generation: unknown (no system profile)");
    expect(describeDetail(healthy).items).toContain("reboot pending: no");
    expect(describeDetail(healthy).items).toContain("ZFS: all pools healthy");
    expect(describeDetail(nas).items).toEqual([
      "uptime: 14d 6h 56m",
      "load: 0.52 0.41 0.30",
      "NixOS: not NixOS (no version, generation or reboot check)",
      "failed units: no systemd",
      "disks: /volume1 50%",
    ]);
  });

  it("explains unreachable and unconfigured hosts in the headline", () => {
    expect(describeDetail(casper)).toEqual({ headline: "casper: unreachable — no answer within 2 s", items: [] });
    expect(describeDetail(vps).headline).toBe("vps: no ssh configured — magi has no SSH settings for it, so it cannot check it");
  });
});

describe("formatUptime", () => {
  it("keeps the largest units", () => {
    expect(formatUptime(45)).toBe("45s");
    expect(formatUptime(12 * 60 + 5)).toBe("12m 5s");
    expect(formatUptime(3 * 86_400 + 30)).toBe("3d");
    expect(formatUptime(3 * 86_400 + 4 * 3600 + 12 * 60, 3)).toBe("3d 4h 12m");
    expect(formatUptime(0)).toBe("0s");
  });
});
