// Turns the probe script's sections into one runner-style result per probe, so the per-probe
// assessment (and every parser behind it) works exactly as when each probe had its own session.
import type { CommandResult } from "../ssh/index.ts";
import type { ProbeReport, ProbeSection } from "./parse-sections.ts";
import { PROBE_NAMES, PROBES, type ProbeName } from "./probes.ts";

// A section as the result its probe would have had alone.
function toResult(name: ProbeName, section: ProbeSection, host: string): CommandResult {
  const base = { command: PROBES[name].join(" "), signal: null, isCanceled: false, stdout: section.stdout, stderr: section.stderr };
  const code = section.exitCode;
  const failure = code === 0 ? {} : { reason: "exit-code" as const };
  return { ...base, exitCode: code, timedOut: false, failed: code !== 0, message: `exited with code ${code} on ${host}`, ...failure };
}

// A probe with no section although the session ended: the session's own failure when it never ran
// (refused, lost), else a result saying the script left it out, with the script's first stderr line.
function describeMissing(name: ProbeName, session: CommandResult, host: string): CommandResult {
  if (session.exitCode === null) return session;
  const why = session.stderr.split("\n").map((l) => l.trim()).find(Boolean);
  const message = `no ${name} section from the probe script on ${host} (exit ${session.exitCode}${why ? `: ${why}` : ""})`;
  return { ...session, stdout: "", exitCode: null, failed: true, reason: "no-exit-status", message };
}

// Per-probe results. session is the script's result if it ended by the deadline;
// without it, a probe with no section yet simply did not answer in time.
export function splitProbeResults(
  report: ProbeReport,
  session: CommandResult | undefined,
  host: string,
): Partial<Record<ProbeName, CommandResult>> {
  const probes: Partial<Record<ProbeName, CommandResult>> = {};
  for (const name of PROBE_NAMES) {
    const section = report.sections[name];
    if (section) probes[name] = toResult(name, section, host);
    else if (session) probes[name] = describeMissing(name, session, host);
  }
  return probes;
}
