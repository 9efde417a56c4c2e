// Runs one host's probes at once over its pooled connection and stops waiting at the status deadline.
import type { HostEntry } from "../inventory.ts";
import { createNotStartedResult } from "../ssh/result.ts";
import type { CommandResult, RunOptions, SshTarget } from "../ssh/index.ts";
import { assessHost, type ProbeResults } from "./assess.ts";
import { PROBES, PROBE_NAMES, selectChecks } from "./probes.ts";
import type { HostStatus, StatusSettings } from "./types.ts";

// runCommand's shape, so tests can stand in for SSH.
export type RunProbe = (target: SshTarget, argv: readonly string[], opts: RunOptions) => Promise<CommandResult>;

// How long the runner may take to kill a probe still running at the deadline; it happens after the row is ready.
const KILL_GRACE_MS = 1_000;

// Collects a host's status; resolves by the deadline however the host behaves.
export async function collectHost(host: HostEntry, settings: StatusSettings, run: RunProbe, pool?: RunOptions["pool"]): Promise<HostStatus> {
  const ssh = host.ssh;
  if (!ssh) return { host: host.name, reach: "no-ssh" };
  const started = performance.now();
  const abort = new AbortController();
  const checks = selectChecks(settings.checks, host.tags);
  // Built-in probes are read-only and run unprivileged; custom checks follow the host's sudo setting (kubectl needs root on k3s).
  const work = [...PROBE_NAMES.map((name) => ({ argv: PROBES[name], sudo: false })), ...checks.map((c) => ({ argv: c.command, sudo: ssh.sudo }))];
  const results: (CommandResult | undefined)[] = work.map(() => undefined);
  const opts = { timeoutMs: settings.timeoutMs, signal: abort.signal, killGraceMs: KILL_GRACE_MS, onDisconnect: "kill" as const, ...(pool ? { pool } : {}) };
  const runs = work.map((w, i) =>
    run(ssh, w.argv, { ...opts, sudo: w.sudo }).then(
      (r) => void (results[i] = r),
      // runCommand never throws; this keeps a bug there from hiding a whole host.
      (e: unknown) => void (results[i] = createNotStartedResult("", "connect", `cannot run on ${host.name}: ${String(e)}`)),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, settings.timeoutMs)));
  await Promise.race([Promise.all(runs), deadline]);
  clearTimeout(timer);
  // Probes still running are stopped in the background; answers arriving after this moment are ignored.
  const answered = [...results];
  abort.abort();
  const probes: ProbeResults["probes"] = {};
  PROBE_NAMES.forEach((name, i) => {
    const r = answered[i];
    if (r) probes[name] = r;
  });
  const checkResults = checks.map((check, i) => ({ check, result: answered[PROBE_NAMES.length + i] }));
  return assessHost(host.name, { probes, checks: checkResults }, {
    timeoutMs: settings.timeoutMs,
    elapsedMs: Math.round(performance.now() - started),
    diskThresholdPercent: settings.diskThresholdPercent,
  });
}
