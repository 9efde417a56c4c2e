// Reads `nix store diff-closures <old> <new>`: one line per package whose versions or size changed,
// "linux: 6.6.30 → 6.6.32, +1234.5 KiB", with ∅ for "not in that closure" and ε for "no version".
import { stripAnsi } from "./parse-build-log.ts";

// One package's change between the two closures.
export interface PackageChange {
  name: string;
  // Versions in the old and new closure; both empty means only the size changed.
  from: string[];
  to: string[];
  // Size change in KiB; 0 when nix did not print one (it omits changes under 8 KiB).
  deltaKiB: number;
}

// A closure diff sorted into what was added, removed and changed.
export interface ClosureDiff {
  added: PackageChange[];
  removed: PackageChange[];
  changed: PackageChange[];
  totalKiB: number;
}

const EMPTY = "∅";
const SIZE = /(?:^|, )([+-]\d+(?:\.\d+)?) KiB$/;

// Reads one line, or undefined for a line that is not a package change.
export function parseChangeLine(line: string): PackageChange | undefined {
  const match = /^(\S[^:]*): (.+)$/.exec(stripAnsi(line).trim());
  if (!match) return undefined;
  let rest = match[2]!;
  const size = SIZE.exec(rest);
  if (size) rest = rest.slice(0, size.index);
  const deltaKiB = size ? Number(size[1]) : 0;
  if (!rest) return size ? { name: match[1]!, from: [], to: [], deltaKiB } : undefined;
  const arrow = rest.split(" → ");
  if (arrow.length !== 2) return undefined;
  const versions = (side: string) => (side === EMPTY ? [] : side.split(", "));
  return { name: match[1]!, from: versions(arrow[0]!), to: versions(arrow[1]!), deltaKiB };
}

// Sorts every change line of the output; lines that are not changes are skipped.
export function parseDiffClosures(output: string): ClosureDiff {
  const diff: ClosureDiff = { added: [], removed: [], changed: [], totalKiB: 0 };
  for (const line of output.split("\n")) {
    const change = parseChangeLine(line);
    if (!change) continue;
    diff.totalKiB += change.deltaKiB;
    if (change.from.length === 0 && change.to.length > 0) diff.added.push(change);
    else if (change.to.length === 0 && change.from.length > 0) diff.removed.push(change);
    else diff.changed.push(change);
  }
  diff.totalKiB = Math.round(diff.totalKiB * 10) / 10;
  return diff;
}

// Packages a running system only picks up at boot: the kernel, its initrd, and systemd (PID 1).
const BOOT_PACKAGES = /^(linux|linux-firmware|initrd(-.+)?|systemd)$/;

// The boot-time packages the diff touches ("linux", "systemd"): non-empty means a reboot is needed to run them.
export function findBootChanges(diff: ClosureDiff): string[] {
  return [...diff.added, ...diff.removed, ...diff.changed].map((c) => c.name).filter((name) => BOOT_PACKAGES.test(name));
}
