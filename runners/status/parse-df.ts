// Reads `df -P` (POSIX format: never wraps, same columns on GNU and busybox) into real filesystems.
import type { DiskUsage } from "./types.ts";

// Sources of memory-backed and kernel filesystems: their fill level says nothing about disks.
const PSEUDO_SOURCES = new Set([
  "tmpfs", "devtmpfs", "ramfs", "overlay", "shm", "none", "udev", "efivarfs", "proc", "sysfs",
  "cgroup", "cgroup2", "devpts", "securityfs", "pstore", "bpf", "tracefs", "debugfs", "hugetlbfs", "mqueue",
]);
const PSEUDO_MOUNTS = /^\/(dev|proc|sys|run)(\/|$)/;
const LINE = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/;

// Parses the table, dropping pseudo filesystems, loop devices (always full images) and repeated
// sources (NixOS bind-mounts /nix/store from the root filesystem); undefined when nothing parses.
export function parseDiskUsage(stdout: string): DiskUsage[] | undefined {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  if (!lines[0]?.startsWith("Filesystem")) return undefined;
  const seen = new Set<string>();
  const disks: DiskUsage[] = [];
  for (const line of lines.slice(1)) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, source, , , , percent, mount] = m as unknown as [string, string, string, string, string, string, string];
    if (PSEUDO_SOURCES.has(source) || source.startsWith("/dev/loop") || PSEUDO_MOUNTS.test(mount) || seen.has(source)) continue;
    seen.add(source);
    disks.push({ source, mount, percent: Number(percent) });
  }
  return disks;
}
