// Turns how a deploy process ended into words for the room. Pure.
import type { DeployAction, DeployOutcome, DeployPhase } from "./types.ts";
import { formatDuration } from "../jobs/format-duration.ts";

// Everything known when the process has ended.
export interface ExitFacts {
  host: string;
  sha: string;
  action: DeployAction;
  tool: string;
  exitCode: number | null | undefined;
  signal?: string | null;
  cancelled: boolean;
  timedOut: boolean;
  phase: DeployPhase;
  // The last lines of output, oldest first.
  lines: readonly string[];
  durationMs: number;
  generationBefore?: string;
  generationAfter?: string;
  // Set when the command never ran or its SSH connection broke; the runner's own message.
  notStarted?: string;
  connectionLost?: string;
  // How to name the work; default "<action> of <sha7> on <host>" and "deployed <sha7> to <host> (<action>)".
  what?: string;
  done?: string;
}

const UNITS_FAILED = /warning: the following units failed: (.+)$/;
// deploy-rs (auto-rollback, on by default) puts the previous generation back when activation fails.
const ROLLED_BACK = /De-activating due to error|Attempting to re-activate the last generation/;
// Nix evaluation errors, recognisable even after nixos-rebuild already said "building".
const EVAL_ERROR = /while evaluating|while calling|attribute '[^']*' missing|does not provide attribute|undefined variable|syntax error|infinite recursion|The option `[^']*' (does not exist|is used but not defined)|Failed assertions:/;
const BUILD_ERROR = /builder for '[^']*' failed|cannot build derivation|dependencies couldn't be built|dependency failed|build of '[^']*' failed/;

// Re-exported so deploy callers keep one import; the wording is shared with job messages.
export { formatDuration };

// A store path's basename with its 32-character hash cut to 8, for chat.
export function shortenGeneration(name: string | undefined): string {
  if (!name) return "unknown";
  const match = /^([0-9a-z]{32})-(.+)$/.exec(name);
  return match ? `${match[1]!.slice(0, 8)}…-${match[2]}` : name;
}

// The units switch-to-configuration reported as failed, from its "warning: the following units failed:" line.
export function findFailedUnits(lines: readonly string[]): string[] | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = UNITS_FAILED.exec(lines[i]!.trim());
    if (match) return match[1]!.split(",").map((u) => u.trim()).filter(Boolean);
  }
  return undefined;
}

// The most telling line: the last "error: …" with text (Nix's innermost cause), else the last line.
// colmena prefixes lines with "<node> | ", which is dropped.
export function pickErrorLine(lines: readonly string[]): string | undefined {
  const trimmed = lines.map((l) => l.trim().replace(/^[A-Za-z0-9_-]+ \| /, "").trim()).filter(Boolean);
  const errors = trimmed.filter((l) => /^error:\s*\S/.test(l));
  const line = errors.at(-1) ?? trimmed.filter((l) => !/^error:$/.test(l)).at(-1);
  return line && line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

// Which phase failed: the output's own evidence first, then the phase tracker.
export function classifyFailedPhase(lines: readonly string[], tracked: DeployPhase): DeployPhase {
  if (lines.some((l) => EVAL_ERROR.test(l))) return "evaluating";
  if (lines.some((l) => BUILD_ERROR.test(l))) return "building";
  return tracked;
}

const PHASE_WORDS: Record<DeployPhase, string> = {
  checkout: "checking out the flake",
  evaluating: "evaluating",
  building: "building",
  copying: "copying to the host",
  activating: "activating",
};

function describeGenerations(facts: ExitFacts): string {
  return `generation ${shortenGeneration(facts.generationBefore)} → ${shortenGeneration(facts.generationAfter)}`;
}

// The outcome for the room; ok only for exit code 0.
export function explainExit(facts: ExitFacts): DeployOutcome {
  const sha7 = facts.sha.slice(0, 7);
  const gens = { ...(facts.generationBefore ? { generationBefore: facts.generationBefore } : {}), ...(facts.generationAfter ? { generationAfter: facts.generationAfter } : {}) };
  const base = { exitCode: facts.exitCode ?? null, ...gens };
  const where = PHASE_WORDS[facts.phase];
  const what = facts.what ?? `${facts.action} of ${sha7} on ${facts.host}`;
  const liveWarning = facts.phase === "activating" ? "; activation may be half done, check !status" : "";
  if (facts.cancelled) return { ...base, ok: false, cancelled: true, summary: `${what} cancelled while ${where}${liveWarning}` };
  if (facts.timedOut) return { ...base, ok: false, timedOut: true, summary: `${what} timed out after ${formatDuration(facts.durationMs)} while ${where}${liveWarning}` };
  if (facts.notStarted) return { ...base, ok: false, summary: `${what} did not start: ${facts.notStarted}` };
  if (facts.connectionLost) return { ...base, ok: false, summary: `lost the connection to ${facts.host} while ${where}; ${facts.tool} keeps running there, check !status (${facts.connectionLost})` };
  if (facts.exitCode === 0) {
    const note = facts.action === "boot" ? " (active after the next reboot)" : facts.action === "dry-activate" ? " (nothing was changed)" : "";
    return { ...base, ok: true, summary: `${facts.done ?? `deployed ${sha7} to ${facts.host} (${facts.action})`} in ${formatDuration(facts.durationMs)}${note}: ${describeGenerations(facts)}` };
  }
  // switch-to-configuration exit 4: the generation is live and the boot default, only units failed.
  // Newer nixos-rebuild passes the 4 on, older ones exit 1 after the warning line.
  const units = findFailedUnits(facts.lines);
  const rolledBack = facts.lines.some((l) => ROLLED_BACK.test(l));
  if (rolledBack) {
    const why = units && units.length > 0 ? `units failed: ${units.join(", ")}` : pickErrorLine(facts.lines) ?? `${facts.tool} exit ${facts.exitCode ?? "unknown"}`;
    return { ...base, ok: false, summary: `activation of ${sha7} on ${facts.host} failed (${why}); ${facts.tool} rolled it back to the previous generation` };
  }
  if (facts.exitCode === 4 || (units && facts.exitCode !== null && facts.exitCode !== undefined)) {
    const list = units && units.length > 0 ? units.join(", ") : "some units (see !log)";
    return { ...base, ok: false, summary: `switched, but units failed: ${list} (the new generation is live)` };
  }
  const phase = classifyFailedPhase(facts.lines, facts.phase);
  const how = facts.exitCode !== null && facts.exitCode !== undefined ? `exit ${facts.exitCode}` : facts.signal ? `killed by ${facts.signal}` : "no exit status";
  const line = pickErrorLine(facts.lines);
  return { ...base, ok: false, summary: `${what} failed while ${PHASE_WORDS[phase]} (${facts.tool} ${how})${line ? `: ${line}` : ""}` };
}
