// The fixed commands !status runs on every host. They are constants: nothing a user types reaches them.
import type { Config } from "../../config/schema.ts";
import type { CustomCheck, StatusSettings } from "./types.ts";

// One argv per source (proc's two files the probe script reads with shell builtins, the same bytes
// as this cat, to spare the host an exec). GNU readlink takes several paths and prints the ones that resolve, in order;
// the parser tells them apart by shape, so one round trip covers current, booted and the profile.
export const PROBES = {
  proc: ["cat", "/proc/uptime", "/proc/loadavg"],
  links: ["readlink", "/run/current-system", "/run/booted-system", "/nix/var/nix/profiles/system"],
  nixos: ["nixos-version", "--json"],
  units: ["systemctl", "list-units", "--failed", "--output=json", "--no-pager"],
  zfs: ["zpool", "status", "-x"],
  disks: ["df", "-P"],
} as const satisfies Record<string, readonly string[]>;

// A built-in probe's name.
export type ProbeName = keyof typeof PROBES;

// Every built-in probe, in a fixed order.
export const PROBE_NAMES = Object.keys(PROBES) as ProbeName[];

// The custom checks for a host: those without tags, and those sharing a tag with it.
export function selectChecks(checks: readonly CustomCheck[], hostTags: readonly string[]): CustomCheck[] {
  return checks.filter((c) => !c.tags || c.tags.some((t) => hostTags.includes(t)));
}

// Turns the config's status section into runner settings.
export function readStatusSettings(section: Config["status"]): StatusSettings {
  return {
    timeoutMs: Math.round(section.timeout_seconds * 1000),
    concurrency: section.concurrency,
    diskThresholdPercent: section.disk_threshold_percent,
    checks: section.checks.map((c) => ({
      name: c.name,
      command: [...c.command],
      ...(c.tags ? { tags: [...c.tags] } : {}),
      ok: {
        exitCode: c.ok.exit_code,
        ...(c.ok.stdout_includes !== undefined ? { stdoutIncludes: c.ok.stdout_includes } : {}),
        ...(c.ok.stdout_excludes !== undefined ? { stdoutExcludes: c.ok.stdout_excludes } : {}),
      },
    })),
  };
}
