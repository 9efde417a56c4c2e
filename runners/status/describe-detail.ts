// The detail view for one host: a headline and one line per fact, saying what does not apply there.
import { describeState } from "./describe-row.ts";
import { formatLoad, formatSeconds, formatUptime } from "./format.ts";
import { isRebootPending, listFullDisks, type UpStatus } from "./problems.ts";
import type { Fact, HostStatus } from "./types.ts";

// Renders a fact with its own wording when known, and "unknown — why" or the absent note otherwise.
function describeFact<T>(label: string, fact: Fact<T>, show: (value: T) => string): string {
  if (fact.kind === "ok") return `${label}: ${show(fact.value)}`;
  return fact.kind === "absent" ? `${label}: ${fact.note}` : `${label}: unknown — ${fact.note}`;
}

function shortRevision(revision: string): string {
  return revision.slice(0, 12);
}

// NixOS lines: version, generation, current system and reboot pending; one line when it is not NixOS.
function describeNixos(status: UpStatus): string[] {
  if (status.nixos.kind === "absent") return [`NixOS: ${status.nixos.note} (no version, generation or reboot check)`];
  const version = describeFact("NixOS", status.nixos, (v) => {
    const revisions = [v.nixpkgsRevision && `nixpkgs ${shortRevision(v.nixpkgsRevision)}`, v.configurationRevision && `configuration ${shortRevision(v.configurationRevision)}`].filter(Boolean);
    return revisions.length > 0 ? `${v.version} (${revisions.join(", ")})` : v.version;
  });
  if (status.system.kind !== "ok") return [version, describeFact("current system", status.system, String)];
  const links = status.system.value;
  const pending = isRebootPending(status);
  const reboot = pending === undefined ? "reboot pending: unknown — no /run/booted-system" : pending ? `reboot pending: yes — booted ${links.booted}` : "reboot pending: no";
  const generation = links.generation === undefined ? "generation: unknown (no system profile)" : `generation: ${links.generation}`;
  return [version, generation, `current system: ${links.current}`, reboot];
}

function describeDisks(status: UpStatus): string {
  const full = listFullDisks(status);
  return describeFact("disks", status.disks, (disks) => {
    if (disks.length === 0) return "no real filesystems listed";
    const rest = disks.filter((d) => !full.includes(d)).map((d) => `${d.mount} ${d.percent}%`);
    return [...full.map((d) => `${d.mount} ${d.percent}% (at or over ${status.diskThresholdPercent}%)`), ...rest].join(", ");
  });
}

// Every line for a host that answered.
function describeFacts(status: UpStatus): string[] {
  const lines = [
    describeFact("uptime", status.uptime, (u) => formatUptime(u.uptimeSeconds, 3)),
    describeFact("load", status.uptime, (u) => u.load.map(formatLoad).join(" ")),
    ...describeNixos(status),
    describeFact("failed units", status.failedUnits, (units) => (units.length === 0 ? "none" : units.map((u) => `${u.unit} (${u.sub || "failed"})`).join(", "))),
    describeDisks(status),
  ];
  // A host without zpool gets no ZFS line at all.
  if (status.zfs.kind !== "absent") lines.push(describeFact("ZFS", status.zfs, (pools) => (pools.length === 0 ? "all pools healthy" : pools.map((p) => `${p.name} ${p.state}`).join(", "))));
  lines.push(...status.checks.map((c) => `check ${c.name}: ${c.ok ? "ok" : `failed — ${c.note}`}`));
  return lines;
}

// The headline and lines for one host.
export function describeDetail(status: HostStatus): { headline: string; items: string[] } {
  const state = describeState(status);
  if (status.reach === "no-ssh") return { headline: `${status.host}: ${state} — magi has no SSH settings for it, so it cannot check it`, items: [] };
  if (status.reach === "unreachable") return { headline: `${status.host}: ${state} — ${status.note}`, items: [] };
  return { headline: `${status.host}: ${state} (answered in ${formatSeconds(status.elapsedMs)})`, items: describeFacts(status) };
}
