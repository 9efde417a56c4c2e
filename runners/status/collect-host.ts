// Runs one host's probes over its pooled connection and stops waiting at the status deadline.
// Built-in probes share one SSH session (see probe-script.ts); custom checks get one session each,
// since they are the operator's own commands and may need sudo.
import type { HostEntry } from "../inventory.ts";
import { createNotStartedResult } from "../ssh/result.ts";
import type { CommandResult, RunOptions, SshTarget } from "../ssh/index.ts";
import { assessHost } from "./assess.ts";
import { readProbeReport } from "./parse-sections.ts";
import { buildProbeArgv, chooseWatchdogSeconds } from "./probe-script.ts";
import { selectChecks } from "./probes.ts";
import { splitProbeResults } from "./split-probes.ts";
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
  // The script prints each probe's section as it finishes, so a hung probe still leaves the others' lines here.
  const streamed: string[] = [];
  const onLine = (line: string, stream: "stdout" | "stderr") => void (stream === "stdout" && streamed.push(line));
  // Built-in probes are read-only and run unprivileged; custom checks follow the host's sudo setting (kubectl needs root on k3s).
  const work = [
    // The script stops itself when the connection goes (it reads the runner's control lines itself).
    { argv: buildProbeArgv(chooseWatchdogSeconds(settings.timeoutMs)), sudo: false, handlesControl: true, onLine },
    ...checks.map((c) => ({ argv: c.command, sudo: ssh.sudo, onDisconnect: "kill" as const })),
  ];
  const results: (CommandResult | undefined)[] = work.map(() => undefined);
  const opts = { timeoutMs: settings.timeoutMs, signal: abort.signal, killGraceMs: KILL_GRACE_MS, ...(pool ? { pool } : {}) };
  const runs = work.map(({ argv, ...extra }, i) =>
    run(ssh, argv, { ...opts, ...extra }).then(
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
  const [session, ...answered] = [...results];
  const text = session ? session.stdout : `${streamed.join("\n")}\n`;
  abort.abort();
  const probes = splitProbeResults(readProbeReport(text), session, host.name);
  const checkResults = checks.map((check, i) => ({ check, result: answered[i] }));
  return assessHost(host.name, { probes, checks: checkResults, ...(session ? { session } : {}) }, {
    timeoutMs: settings.timeoutMs,
    elapsedMs: Math.round(performance.now() - started),
    diskThresholdPercent: settings.diskThresholdPercent,
  });
}
