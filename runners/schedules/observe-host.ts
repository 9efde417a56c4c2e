// What one scheduled round learned of one host: which watched kinds it could read, and the problems among them,
// each under a stable key ("zfs:tank") so the next round can tell the same problem from a new one.
import type { WatchKind } from "../../domain/fleet-watch.ts";
import { isRebootPending, listFullDisks, type UpStatus } from "../status/problems.ts";
import type { Fact, HostStatus } from "../status/types.ts";
import type { Sighting } from "./track.ts";

// One problem: its key (kind, or kind:item), and how the room reads it after "host: ".
export interface Problem {
  key: string;
  detail: string;
}

// A round's view of a host: the kinds it could read (a kind not read says nothing about its problems) and the problems.
export interface Observation {
  known: Set<WatchKind>;
  problems: Problem[];
}

// The kind a problem key belongs to.
export function kindOf(key: string): WatchKind {
  return key.split(":")[0] as WatchKind;
}

// Makes a key from a kind and the item it concerns.
const keyOf = (kind: WatchKind, item?: string) => (item === undefined ? kind : `${kind}:${item}`);

// "/nix/store/…-nixos-system-misato-24.11.20241201.abcdef0" → "24.11.20241201.abcdef0"; other paths stay whole.
export function describeSystem(path: string): string {
  return /-nixos-system-.*?-(\d[^/]*)$/.exec(path)?.[1] ?? path;
}

// A fact that could be read, or that does not apply to the host (no zpool, not NixOS), is known; unknown is not.
const isKnown = (fact: Fact<unknown>) => fact.kind !== "unknown";

function observeUp(status: UpStatus, watch: ReadonlySet<WatchKind>): Observation {
  const known = new Set<WatchKind>(["reachability", "checks"]);
  const problems: Problem[] = [];
  if (isKnown(status.failedUnits)) known.add("failed_units");
  if (status.failedUnits.kind === "ok") problems.push(...status.failedUnits.value.map((u) => ({ key: keyOf("failed_units", u.unit), detail: `unit ${u.unit} ${u.sub || "failed"}` })));
  if (isKnown(status.disks)) known.add("disks");
  problems.push(...listFullDisks(status).map((d) => ({ key: keyOf("disks", d.mount), detail: `disk ${d.mount} ${d.percent}% full (threshold ${status.diskThresholdPercent}%)` })));
  const pending = isRebootPending(status);
  if (pending !== undefined || status.system.kind === "absent") known.add("reboot");
  if (pending && status.system.kind === "ok") {
    const { booted, current } = status.system.value;
    problems.push({ key: keyOf("reboot"), detail: `reboot pending (booted ${describeSystem(booted!)}, current ${describeSystem(current)})` });
  }
  if (isKnown(status.zfs)) known.add("zfs");
  if (status.zfs.kind === "ok") problems.push(...status.zfs.value.map((p) => ({ key: keyOf("zfs", p.name), detail: `pool ${p.name} ${p.state}` })));
  problems.push(...status.checks.filter((c) => !c.ok).map((c) => ({ key: keyOf("checks", c.name), detail: `check ${c.name} failed: ${c.note}` })));
  return { known: new Set([...known].filter((k) => watch.has(k))), problems: problems.filter((p) => watch.has(kindOf(p.key))) };
}

// Reads a host's status as a schedule watching these kinds sees it; a host that did not answer tells only that.
export function observeHost(status: HostStatus, watch: readonly WatchKind[]): Observation {
  const watching = new Set(watch);
  if (status.reach === "no-ssh") return { known: new Set(), problems: [] };
  if (status.reach === "unreachable") {
    return watching.has("reachability") ? { known: new Set(["reachability"]), problems: [{ key: keyOf("reachability"), detail: status.note }] } : { known: new Set(), problems: [] };
  }
  return observeUp(status, watching);
}

// What this round says of one key: present, gone, or unknown when its kind could not be read.
export function sightKey(observation: Observation, key: string): Sighting {
  const problem = observation.problems.find((p) => p.key === key);
  if (problem) return { present: true, detail: problem.detail };
  return observation.known.has(kindOf(key)) ? { present: false } : { present: "unknown" };
}
