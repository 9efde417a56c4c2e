// Turns the raw results of a host's probes into facts. Pure: no I/O, so every branch is unit-tested.
import type { CommandResult } from "../ssh/index.ts";
import { describeProbeFailure, describeUnreachable } from "./describe-failure.ts";
import { evaluateCheck } from "./evaluate-check.ts";
import { parseDiskUsage } from "./parse-df.ts";
import { parseNixosVersion, parseSystemLinks } from "./parse-nixos.ts";
import { parseUptimeLoad } from "./parse-proc.ts";
import { parseFailedUnits } from "./parse-units.ts";
import { parseZpoolStatus } from "./parse-zpool.ts";
import type { ProbeName } from "./probes.ts";
import type { CustomCheck, DiskUsage, Fact, FailedUnit, HostStatus, NixosVersion, PoolHealth, SystemLinks } from "./types.ts";

// What came back by the deadline; undefined means no answer in time.
export interface ProbeResults {
  probes: Partial<Record<ProbeName, CommandResult>>;
  checks: { check: CustomCheck; result: CommandResult | undefined }[];
  // The session that ran the built-in probes, if it ended in time: a script that ran proves the host answered.
  session?: CommandResult;
}

// The shell's "command not found".
const NOT_FOUND = 127;

function known<T>(value: T): Fact<T> {
  return { kind: "ok", value };
}

// Why a probe gave nothing usable.
function unknownFact(result: CommandResult | undefined, timeoutMs: number): { kind: "unknown"; note: string } {
  return { kind: "unknown", note: result?.exitCode === 0 ? "unreadable output" : describeProbeFailure(result, timeoutMs) };
}

// Parses a probe that must exit 0; anything else is unknown, with the reason.
function parseFact<T>(result: CommandResult | undefined, parse: (stdout: string) => T | undefined, timeoutMs: number): Fact<T> {
  const value = result?.exitCode === 0 ? parse(result.stdout) : undefined;
  return value !== undefined ? known(value) : unknownFact(result, timeoutMs);
}

function assessNixos(result: CommandResult | undefined, timeoutMs: number): Fact<NixosVersion> {
  if (result?.exitCode === NOT_FOUND) return { kind: "absent", note: "not NixOS" };
  return parseFact(result, parseNixosVersion, timeoutMs);
}

// readlink exits 1 when one of its paths is missing (the profile, often) yet prints the rest.
function assessSystem(result: CommandResult | undefined, nixos: Fact<NixosVersion>, timeoutMs: number): Fact<SystemLinks> {
  const links = result && result.exitCode !== null ? parseSystemLinks(result.stdout) : undefined;
  if (links) return known(links);
  if (nixos.kind === "absent") return nixos;
  if (result && result.exitCode !== null) return { kind: "unknown", note: "no /run/current-system" };
  return unknownFact(result, timeoutMs);
}

function assessUnits(result: CommandResult | undefined, timeoutMs: number): Fact<FailedUnit[]> {
  if (result?.exitCode === NOT_FOUND || /not been booted with systemd/.test(result?.stderr ?? "")) return { kind: "absent", note: "no systemd" };
  return parseFact(result, parseFailedUnits, timeoutMs);
}

function assessZfs(result: CommandResult | undefined, timeoutMs: number): Fact<PoolHealth[]> {
  if (result?.exitCode === NOT_FOUND) return { kind: "absent", note: "no zpool" };
  const pools = result?.exitCode === 0 ? parseZpoolStatus(result.stdout) : undefined;
  if (pools === "no-pools") return { kind: "absent", note: "no pools" };
  return pools ? known(pools) : unknownFact(result, timeoutMs);
}

// df exits 1 when one mount is unreadable but still lists the others, so any table counts.
function assessDisks(result: CommandResult | undefined, timeoutMs: number): Fact<DiskUsage[]> {
  const disks = result && result.exitCode !== null ? parseDiskUsage(result.stdout) : undefined;
  return disks ? known(disks) : unknownFact(result, timeoutMs);
}

// Builds a host's status from what its probes returned by the deadline.
export function assessHost(host: string, results: ProbeResults, opts: { timeoutMs: number; elapsedMs: number; diskThresholdPercent: number }): HostStatus {
  const { probes } = results;
  const all = [...Object.values(probes), ...results.checks.map((c) => c.result), results.session];
  const unreachable = describeUnreachable(host, all, opts.timeoutMs);
  if (unreachable) return { host, reach: "unreachable", note: unreachable, elapsedMs: opts.elapsedMs };
  const nixos = assessNixos(probes.nixos, opts.timeoutMs);
  return {
    host,
    reach: "up",
    elapsedMs: opts.elapsedMs,
    diskThresholdPercent: opts.diskThresholdPercent,
    uptime: parseFact(probes.proc, parseUptimeLoad, opts.timeoutMs),
    nixos,
    system: assessSystem(probes.links, nixos, opts.timeoutMs),
    failedUnits: assessUnits(probes.units, opts.timeoutMs),
    disks: assessDisks(probes.disks, opts.timeoutMs),
    zfs: assessZfs(probes.zfs, opts.timeoutMs),
    checks: results.checks.map(({ check, result }) => evaluateCheck(check, result, opts.timeoutMs)),
  };
}
