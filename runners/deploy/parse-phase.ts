// Reads which phase a deploy is in from the tools' own output lines (nixos-rebuild and Nix,
// deploy-rs, colmena). Pure.
import { DEPLOY_PHASES, type DeployPhase } from "./types.ts";

// Checked in order, first match wins. nixos-rebuild prints "building the system configuration..."
// before `nix build` evaluates, so that line starts evaluation; building starts when Nix lists
// what it will build or fetch. Fetching from a binary cache ("copying path … from 'https://…'")
// is part of building; copying means copying the closure to the target.
const RULES: ReadonlyArray<readonly [RegExp, DeployPhase]> = [
  [/^building the system configuration\.\.\./, "evaluating"],
  [/^evaluating\b|\bevaluating (flake|derivation|node|nodes)\b|\bevaluated\b/i, "evaluating"],
  [/^(these \d+ derivations|this derivation) will be built:/, "building"],
  [/^(these \d+ paths|this path) will be fetched\b/, "building"],
  [/^building '\/nix\/store\//, "building"],
  [/^copying path '[^']*' from '(https?|s3):/, "building"],
  [/\bbuilding profile\b|\bbuilding\b|\bbuilt\b/i, "building"],
  [/^copying \d+ paths?\b|^copying path '[^']*' to '|\bcopying profile\b|\bpush(ing|ed) system closure\b/i, "copying"],
  [/^copying\b/i, "copying"],
  [/^activating the configuration\.\.\.|^setting up \/etc\.\.\.|^switching to system configuration\b/, "activating"],
  [/\bactivating profile\b|\bactivating\b|\bactivation (successful|succeeded)\b/i, "activating"],
];

// The phase one line announces, if any.
export function detectPhase(line: string): DeployPhase | undefined {
  // colmena prefixes each line with "<node> | ".
  const text = line.trim().replace(/^[A-Za-z0-9_-]+ \| /, "");
  if (!text) return undefined;
  for (const [pattern, phase] of RULES) if (pattern.test(text)) return phase;
  return undefined;
}

// True when next comes after current; a later mention of an earlier word ("building" in a unit
// name during activation) must not move the phase back.
export function isLaterPhase(current: DeployPhase, next: DeployPhase): boolean {
  return DEPLOY_PHASES.indexOf(next) > DEPLOY_PHASES.indexOf(current);
}

// Follows the phase across lines; onChange fires once per forward move.
export function createPhaseTracker(start: DeployPhase, onChange: (phase: DeployPhase) => void): { push(line: string): void; current(): DeployPhase } {
  let phase = start;
  return {
    push(line) {
      const next = detectPhase(line);
      if (next && isLaterPhase(phase, next)) {
        phase = next;
        onChange(next);
      }
    },
    current: () => phase,
  };
}
