// What !status learns about a host, and the port commands ask it through.
import type { HostEntry } from "../inventory.ts";

// One fact about a host: known; not applicable there (note says why); or not known (note says why).
export type Fact<T> = { kind: "ok"; value: T } | { kind: "absent"; note: string } | { kind: "unknown"; note: string };

// From /proc/uptime and /proc/loadavg.
export interface UptimeLoad {
  uptimeSeconds: number;
  load: [number, number, number];
}

// From `nixos-version --json`; the revisions are missing when the build did not record them.
export interface NixosVersion {
  version: string;
  nixpkgsRevision?: string;
  configurationRevision?: string;
}

// Where /run/current-system and /run/booted-system point, and the system profile's generation.
export interface SystemLinks {
  current: string;
  booted?: string;
  generation?: number;
}

// One unit from `systemctl list-units --failed`.
export interface FailedUnit {
  unit: string;
  sub: string;
  description: string;
}

// One real filesystem from `df -P`.
export interface DiskUsage {
  mount: string;
  source: string;
  percent: number;
}

// One pool `zpool status -x` reports as not healthy.
export interface PoolHealth {
  name: string;
  state: string;
}

// How a custom check from config came out; note says why it failed.
export interface CheckOutcome {
  name: string;
  ok: boolean;
  note: string;
}

// Everything measured on a host that answered.
export interface HostFacts {
  uptime: Fact<UptimeLoad>;
  nixos: Fact<NixosVersion>;
  system: Fact<SystemLinks>;
  failedUnits: Fact<FailedUnit[]>;
  disks: Fact<DiskUsage[]>;
  // ok with an empty list: every pool is healthy; absent: no zpool (or no pools) on the host.
  zfs: Fact<PoolHealth[]>;
  checks: CheckOutcome[];
}

// One host's status: no SSH settings, unreachable (with why), or up with its facts.
export type HostStatus =
  | { host: string; reach: "no-ssh" }
  | { host: string; reach: "unreachable"; note: string; elapsedMs: number }
  | ({ host: string; reach: "up"; elapsedMs: number; diskThresholdPercent: number } & HostFacts);

// A custom check from config: a fixed argv and what counts as ok.
export interface CustomCheck {
  name: string;
  command: string[];
  tags?: string[];
  ok: { exitCode: number; stdoutIncludes?: string; stdoutExcludes?: string };
}

// The status section of the config, in the shape the runner uses.
export interface StatusSettings {
  timeoutMs: number;
  concurrency: number;
  diskThresholdPercent: number;
  checks: CustomCheck[];
}

// What commands may ask: the status of these hosts, in the same order, each within the status timeout.
export interface StatusPort {
  collect(hosts: readonly HostEntry[]): Promise<HostStatus[]>;
}
