// Words for a preview: what the approval prompt and !diff show per host.
import type { ClosureDiff, PackageChange } from "./parse-diff-closures.ts";
import type { UnitChanges } from "./parse-dry-activate.ts";
import type { HostPreview } from "./types.ts";

const TOP = 6;

// A size in KiB as "+1.2 MiB" / "-850.0 KiB".
export function formatKiB(kib: number): string {
  const sign = kib < 0 ? "-" : "+";
  const abs = Math.abs(kib);
  if (abs >= 1024 * 1024) return `${sign}${(abs / 1024 / 1024).toFixed(1)} GiB`;
  if (abs >= 1024) return `${sign}${(abs / 1024).toFixed(1)} MiB`;
  return `${sign}${abs.toFixed(1)} KiB`;
}

// "linux 6.6.30 → 6.6.32 (+1.2 MiB)"; a package only resized shows its size alone.
export function describeChange(c: PackageChange): string {
  const versions = c.from.length === 0 && c.to.length === 0 ? "" : ` ${c.from.join(", ") || "∅"} → ${c.to.join(", ") || "∅"}`;
  return `${c.name}${versions}${c.deltaKiB !== 0 ? ` (${formatKiB(c.deltaKiB)})` : ""}`;
}

// Whether a diff has more changes than the summary names, so the whole of it goes into a file.
export function isFolded(diff: ClosureDiff): boolean {
  return diff.changed.length + diff.added.length + diff.removed.length > TOP;
}

// The whole diffs of the previews that fold, each under a line naming the host and the two systems; undefined when none folds.
export function collectFoldedDiffs(previews: HostPreview[]): string | undefined {
  const folded = previews.filter((p): p is Extract<HostPreview, { ok: true }> => p.ok && p.diff !== undefined && p.diffText !== undefined && isFolded(p.diff));
  if (folded.length === 0) return undefined;
  return folded.map((p) => `# ${p.host}: nix store diff-closures ${p.current} ${p.path}\n${p.diffText!.replace(/\n?$/, "\n")}`).join("\n");
}

// The summary lines of a closure diff: counts and total size, then the largest changes.
export function describeDiff(diff: ClosureDiff): string[] {
  const all = [...diff.changed, ...diff.added, ...diff.removed];
  if (all.length === 0) return ["no package changes"];
  const counts = `${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed; closure ${formatKiB(diff.totalKiB)}`;
  // Version changes first (what people look for), then by size.
  const ranked = [...all].sort((a, b) => Number(b.from.length + b.to.length > 0) - Number(a.from.length + a.to.length > 0) || Math.abs(b.deltaKiB) - Math.abs(a.deltaKiB));
  const more = all.length > TOP ? `, and ${all.length - TOP} more` : "";
  return [counts, `${ranked.slice(0, TOP).map(describeChange).join(", ")}${more}`];
}

// "restart: sshd.service, nginx.service; start: k3s.service"; undefined when nothing would change.
export function describeUnits(units: UnitChanges): string | undefined {
  const parts = (["stop", "restart", "reload", "start"] as const).filter((k) => units[k].length > 0).map((k) => `${k}: ${units[k].join(", ")}`);
  if (units.systemd) parts.push("systemd re-executes");
  return parts.length > 0 ? `units — ${parts.join("; ")}` : undefined;
}

// One host's preview as lines; the first names the host and the store path.
export function describeHostPreview(p: HostPreview, prefix = "!"): string[] {
  if (!p.ok && p.cancelled) return [`${p.host}: ${p.problem}`];
  if (!p.ok) return [`${p.host}: build failed: ${p.problem}`, ...p.tail.slice(-10).map((l) => `  ${l}`)];
  if (p.same) return [`${p.host} already runs this system (${p.path}); nothing to deploy`];
  const lines = [p.path ? `${p.host}: ${p.path} (built on ${p.builtOn}${p.cached ? ", preview cached" : ""})` : `${p.host}:`];
  if (p.diff) lines.push(...describeDiff(p.diff).map((l) => `  ${l}`));
  if (p.bootChanges.length > 0) lines.push(`  reboot needed: ${p.bootChanges.join(", ")} changed, which only a reboot runs; consider ${prefix}deploy ${p.host} --boot`);
  const units = p.units && describeUnits(p.units);
  if (units) lines.push(`  ${units}`);
  else if (p.units) lines.push("  units — none would stop, restart, reload or start");
  lines.push(...p.notes.map((n) => `  ${n}`));
  return lines;
}
