import { describe, expect, it } from "vitest";
import { parseDiskUsage } from "../../../../runners/status/parse-df.ts";
import { parseNixosVersion, parseSystemLinks } from "../../../../runners/status/parse-nixos.ts";
import { parseUptimeLoad } from "../../../../runners/status/parse-proc.ts";
import { parseFailedUnits } from "../../../../runners/status/parse-units.ts";
import { parseZpoolStatus } from "../../../../runners/status/parse-zpool.ts";
import { OUTPUTS } from "./make-result.ts";

describe("parseUptimeLoad", () => {
  it("reads seconds since boot and the three load averages", () => {
    expect(parseUptimeLoad(OUTPUTS.proc)).toEqual({ uptimeSeconds: 1234567.89, load: [0.52, 0.41, 0.3] });
  });

  it("refuses anything else", () => {
    expect(parseUptimeLoad("")).toBeUndefined();
    expect(parseUptimeLoad("cat: /proc/loadavg: No such file or directory\n")).toBeUndefined();
    expect(parseUptimeLoad("12.5 3.1\n")).toBeUndefined();
  });
});

describe("parseNixosVersion", () => {
  it("reads the JSON of NixOS 24.11, revisions included", () => {
    expect(parseNixosVersion(OUTPUTS.nixos)).toEqual({
      version: "24.11.20241201.abcdef0",
      nixpkgsRevision: "abcdef01234567890abcdef01234567890abcdef",
      configurationRevision: "9c1a2b3c4d5e6f708192a3b4c5d6e7f809a1b2c3",
    });
  });

  it("reads a build without a configuration revision", () => {
    const out = '{"nixosVersion":"25.11.20260407.d96b37b","nixpkgsRevision":"d96b37bbeb9840f1c0ebfe90585ef5067b69bbb3"}\n';
    expect(parseNixosVersion(out)).toEqual({ version: "25.11.20260407.d96b37b", nixpkgsRevision: "d96b37bbeb9840f1c0ebfe90585ef5067b69bbb3" });
  });

  it("reads the plain line old releases print for an unknown flag", () => {
    expect(parseNixosVersion("19.09.2201.7d31bdc2fd4 (Loris)\n")).toEqual({ version: "19.09.2201.7d31bdc2fd4" });
  });

  it("refuses JSON without a version, and garbage", () => {
    expect(parseNixosVersion('{"nixpkgsRevision":"abc"}')).toBeUndefined();
    expect(parseNixosVersion("{broken")).toBeUndefined();
    expect(parseNixosVersion("bash: nixos-version: command not found")).toBeUndefined();
  });
});

describe("parseSystemLinks", () => {
  it("reads current, booted and the profile generation", () => {
    expect(parseSystemLinks(OUTPUTS.links)).toEqual({
      current: "/nix/store/8k2vq0xw6f3m1d5a9r7c4n2p0s8t6y1b-nixos-system-misato-24.11.20241201.abcdef0",
      booted: "/nix/store/1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p-nixos-system-misato-24.11.20241115.1234567",
      generation: 42,
    });
  });

  it("copes with a missing profile link (readlink prints the rest and exits 1)", () => {
    const out = "/nix/store/aaa-nixos-system-x-24.11\n/nix/store/aaa-nixos-system-x-24.11\n";
    expect(parseSystemLinks(out)).toEqual({ current: "/nix/store/aaa-nixos-system-x-24.11", booted: "/nix/store/aaa-nixos-system-x-24.11" });
  });

  it("says nothing for a host without /run/current-system", () => {
    expect(parseSystemLinks("")).toBeUndefined();
    expect(parseSystemLinks("system-3-link\n")).toBeUndefined();
  });
});

describe("parseFailedUnits", () => {
  it("reads systemd's JSON table", () => {
    expect(parseFailedUnits(OUTPUTS.units)).toEqual([
      { unit: "nginx.service", sub: "failed", description: "Nginx Web Server" },
      { unit: "restic-backups-nas.service", sub: "failed", description: "restic backup nas" },
    ]);
    expect(parseFailedUnits("[]\n")).toEqual([]);
  });

  it("refuses the human table an old systemd prints instead", () => {
    const table = "  UNIT          LOAD   ACTIVE SUB    DESCRIPTION\n● nginx.service loaded failed failed Nginx\n";
    expect(parseFailedUnits(table)).toBeUndefined();
    expect(parseFailedUnits('[{"load":"loaded"}]')).toBeUndefined();
  });
});

describe("parseZpoolStatus", () => {
  it("knows the healthy and the empty answers", () => {
    expect(parseZpoolStatus(OUTPUTS.zfsHealthy)).toEqual([]);
    expect(parseZpoolStatus("no pools available\n")).toBe("no-pools");
  });

  it("lists each pool that needs attention with its state", () => {
    expect(parseZpoolStatus(OUTPUTS.zfsDegraded)).toEqual([{ name: "tank", state: "DEGRADED" }]);
    const two = `${OUTPUTS.zfsDegraded}\n  pool: rpool\n state: ONLINE\nstatus: One or more devices has experienced an unrecoverable error.\n`;
    expect(parseZpoolStatus(two)).toEqual([{ name: "tank", state: "DEGRADED" }, { name: "rpool", state: "ONLINE" }]);
  });

  it("refuses an unreadable report", () => {
    expect(parseZpoolStatus("")).toBeUndefined();
    expect(parseZpoolStatus("Permission denied the ZFS utilities must be run as root.\n")).toBeUndefined();
  });
});

describe("parseDiskUsage", () => {
  it("keeps real filesystems once each, dropping tmpfs, /run and the /nix/store bind mount", () => {
    expect(parseDiskUsage(OUTPUTS.df)).toEqual([
      { source: "/dev/nvme0n1p2", mount: "/", percent: 93 },
      { source: "/dev/nvme0n1p1", mount: "/boot", percent: 41 },
    ]);
  });

  it("keeps ZFS datasets and mount points with spaces, drops loop devices", () => {
    const out = [
      "Filesystem       1024-blocks      Used Available Capacity Mounted on",
      "rpool/root          98765432  12345678  86419754      13% /",
      "tank/media        3906250000 3789062500 117187500      97% /srv/my media",
      "/dev/loop3             65536     65536         0     100% /snap/core/1",
    ].join("\n");
    expect(parseDiskUsage(out)).toEqual([
      { source: "rpool/root", mount: "/", percent: 13 },
      { source: "tank/media", mount: "/srv/my media", percent: 97 },
    ]);
  });

  it("refuses output without df's header", () => {
    expect(parseDiskUsage("")).toBeUndefined();
    expect(parseDiskUsage("df: invalid option -- 'P'\n")).toBeUndefined();
  });
});
