// What needs a human's attention on a host that answered, as short phrases for the fleet table.
import type { DiskUsage, Fact, HostStatus } from "./types.ts";

// A host that answered.
export type UpStatus = Extract<HostStatus, { reach: "up" }>;

const MAX_UNITS_SHOWN = 3;

// Whether the running system differs from the one booted: a reboot would change what runs.
export function isRebootPending(status: UpStatus): boolean | undefined {
  if (status.system.kind !== "ok" || !status.system.value.booted) return undefined;
  return status.system.value.booted !== status.system.value.current;
}

// Filesystems at or over the threshold, fullest first.
export function listFullDisks(status: UpStatus): DiskUsage[] {
  if (status.disks.kind !== "ok") return [];
  return status.disks.value.filter((d) => d.percent >= status.diskThresholdPercent).sort((a, b) => b.percent - a.percent);
}

// Names a few items and counts the rest, so one row stays one line.
export function nameSome(names: string[], max = MAX_UNITS_SHOWN): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} +${names.length - max} more` : shown;
}

// Facts that could not be read, by label.
function listUnknowns(status: UpStatus): string[] {
  const facts: [string, Fact<unknown>][] = [
    ["uptime", status.uptime], ["nixos", status.nixos], ["system", status.system],
    ["units", status.failedUnits], ["disks", status.disks], ["zfs", status.zfs],
  ];
  return facts.flatMap(([label, fact]) => (fact.kind === "unknown" ? [`${label}: ${fact.note}`] : []));
}

// Every problem on the host, in a stable order; empty means all is well.
export function listProblems(status: UpStatus): string[] {
  const problems: string[] = [];
  if (isRebootPending(status)) problems.push("reboot pending");
  if (status.failedUnits.kind === "ok" && status.failedUnits.value.length > 0) {
    problems.push(`failed: ${nameSome(status.failedUnits.value.map((u) => u.unit))}`);
  }
  const full = listFullDisks(status);
  if (full.length > 0) problems.push(`disk ${full.map((d) => `${d.mount} ${d.percent}%`).join(", ")}`);
  if (status.zfs.kind === "ok") problems.push(...status.zfs.value.map((p) => `zfs ${p.name} ${p.state}`));
  problems.push(...status.checks.filter((c) => !c.ok).map((c) => `check ${c.name} failed`));
  problems.push(...listUnknowns(status));
  return problems;
}
