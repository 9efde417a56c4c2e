// Builds stdout the way the probe script prints it, for tests of parsing and of collectHost.
import { PROBE_MARK } from "../../../../runners/status/probe-script.ts";
import type { ProbeName } from "../../../../runners/status/probes.ts";
import { OUTPUTS } from "./make-result.ts";

// One probe's section as the script would print it: output, stderr and exit code.
export interface FakeSection {
  name: ProbeName;
  stdout?: string;
  stderr?: string;
  exit?: number;
}

// This run's nonce, shaped like the kernel's random uuid.
export const NONCE = "3f1c2a9e-7b4d-4e8a-9c61-0d5e8f2b7a43";

// A tool's output as the script copies it: every line ends with a newline.
function copied(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

// The marker line for this run.
export function mark(rest: string, nonce = NONCE): string {
  return `${PROBE_MARK} ${nonce} ${rest}\n`;
}

// One whole section, in the script's layout.
export function renderSection(s: FakeSection, nonce = NONCE): string {
  return mark(`out ${s.name}`, nonce) + copied(s.stdout ?? "") + mark(`err ${s.name}`, nonce) + copied(s.stderr ?? "") + mark(`exit ${s.name} ${s.exit ?? 0}`, nonce);
}

// The start line and the given sections.
export function renderProbeOutput(sections: readonly FakeSection[]): string {
  return mark("start") + sections.map((s) => renderSection(s)).join("");
}

const SYSTEM = "/nix/store/8k2vq0xw6f3m1d5a9r7c4n2p0s8t6y1b-nixos-system-misato-24.11.20241201.abcdef0";
// readlink of current, booted and the profile on a host booted into its current system.
export const LINKS = `${SYSTEM}\n${SYSTEM}\nsystem-42-link\n`;
// df -P with room on every disk.
export const DF = OUTPUTS.df.replaceAll(" 93% ", " 43% ");

// A healthy NixOS host's six sections, in the order the probes might finish.
export const HEALTHY: FakeSection[] = [
  { name: "proc", stdout: OUTPUTS.proc },
  { name: "links", stdout: LINKS },
  { name: "units", stdout: "[]\n" },
  { name: "zfs", stdout: OUTPUTS.zfsHealthy },
  { name: "disks", stdout: DF },
  { name: "nixos", stdout: OUTPUTS.nixos },
];
