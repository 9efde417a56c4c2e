// Reads the probe script's output back into one section per probe. Pure, and defensive: a line only
// counts as a marker with the exact mark, this run's nonce and a known probe name, in the right order.
import { PROBE_MARK } from "./probe-script.ts";
import { PROBE_NAMES, type ProbeName } from "./probes.ts";

// What one probe printed, and how it exited.
export interface ProbeSection {
  stdout: string;
  stderr: string;
  exitCode: number;
}

// The script's report: the sections complete so far.
export interface ProbeReport {
  sections: Partial<Record<ProbeName, ProbeSection>>;
}

const NAMES = new Set<string>(PROBE_NAMES);
const START = new RegExp(`^${PROBE_MARK} ([0-9A-Za-z-]{1,64}) start$`);

type Marker = { kind: "out" | "err"; name: ProbeName } | { kind: "exit"; name: ProbeName; code: number };

// Reads a marker line of this run; undefined for anything else, which is then just output.
function readMarker(line: string, prefix: string): Marker | undefined {
  if (!line.startsWith(prefix)) return undefined;
  const m = /^(out|err|exit) ([a-z]+)(?: (\d{1,3}))?$/.exec(line.slice(prefix.length));
  if (!m || !NAMES.has(m[2]!)) return undefined;
  const name = m[2] as ProbeName;
  if (m[1] === "exit") return m[3] === undefined ? undefined : { kind: "exit", name, code: Number(m[3]) };
  return m[3] === undefined ? { kind: m[1] as "out" | "err", name } : undefined;
}

// Whole lines of text; a last line without its newline may still be arriving, so it is left out.
function splitWholeLines(text: string): string[] {
  const lines = text.split("\n");
  lines.pop();
  return lines;
}

// The script ends every line of a probe's output with a newline, the last one included.
function joinLines(lines: readonly string[]): string {
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

// Parses the script's stdout (or as much of it as arrived); garbage outside sections is ignored,
// and a section broken by an unexpected marker is dropped rather than guessed at.
export function readProbeReport(text: string): ProbeReport {
  const lines = splitWholeLines(text);
  const startAt = lines.findIndex((l) => START.test(l));
  if (startAt < 0) return { sections: {} };
  const [, nonce] = START.exec(lines[startAt]!)!;
  const prefix = `${PROBE_MARK} ${nonce} `;
  const sections: ProbeReport["sections"] = {};
  // The section being read: its name, which stream, and the lines of each stream so far.
  let open: { name: ProbeName; stream: "out" | "err"; out: string[]; err: string[] } | undefined;
  for (const line of lines.slice(startAt + 1)) {
    const marker = readMarker(line, prefix);
    if (!marker) {
      if (open) open[open.stream].push(line);
      continue;
    }
    if (marker.kind === "err" && open?.name === marker.name && open.stream === "out") {
      open.stream = "err";
    } else if (marker.kind === "exit" && open?.name === marker.name && open.stream === "err") {
      // The first complete section for a name wins; a repeat would mean a confused script.
      sections[marker.name] ??= { stdout: joinLines(open.out), stderr: joinLines(open.err), exitCode: marker.code };
      open = undefined;
    } else {
      open = marker.kind === "out" ? { name: marker.name, stream: "out", out: [], err: [] } : undefined;
    }
  }
  return { sections };
}
