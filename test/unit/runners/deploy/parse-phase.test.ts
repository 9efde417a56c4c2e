import { describe, expect, it } from "vitest";
import { createPhaseTracker, detectPhase } from "../../../../runners/deploy/parse-phase.ts";
import type { DeployPhase } from "../../../../runners/deploy/types.ts";

// A nixos-rebuild --target-host switch as it reads on stderr (Nix 2.24, nixos-rebuild-ng).
const NIXOS_REBUILD = [
  "building the system configuration...",
  "these 3 derivations will be built:",
  "  /nix/store/0j8nrz4c1wz9dsl0xqz3hmvvd0hl7gja-etc.drv",
  "these 2 paths will be fetched (4.12 MiB download, 18.40 MiB unpacked):",
  "copying path '/nix/store/1m3pd5nxi8jw0c8kq7cm3cy5wvfbm8c3-k3s-1.31.4+k3s1' from 'https://cache.nixos.org'...",
  "building '/nix/store/0j8nrz4c1wz9dsl0xqz3hmvvd0hl7gja-etc.drv'...",
  "copying 3 paths...",
  "copying path '/nix/store/39fz386c36f09a5zcdda2zb5d10342af-nixos-system-misato-25.05' to 'ssh://root@10.0.0.5'...",
  "activating the configuration...",
  "setting up /etc...",
  "reloading user units for root...",
  "restarting sysinit-reactivation.target",
  "the following new units were started: building-cache.service",
];

function phasesOf(lines: readonly string[]): DeployPhase[] {
  const seen: DeployPhase[] = [];
  const tracker = createPhaseTracker("evaluating", (p) => seen.push(p));
  for (const line of lines) tracker.push(line);
  return seen;
}

describe("detectPhase", () => {
  it.each([
    ["building the system configuration...", "evaluating"],
    ["evaluating derivation 'git+file:///srv/infra#nixosConfigurations.misato.config.system.build.toplevel'", "evaluating"],
    ["these 12 derivations will be built:", "building"],
    ["this derivation will be built:", "building"],
    ["these 5 paths will be fetched (1.2 MiB download, 4.0 MiB unpacked):", "building"],
    ["building '/nix/store/abc-etc.drv'...", "building"],
    ["copying path '/nix/store/abc-k3s' from 'https://cache.nixos.org'...", "building"],
    ["copying 3 paths...", "copying"],
    ["copying path '/nix/store/abc-nixos-system-misato' to 'ssh://root@misato'...", "copying"],
    ["activating the configuration...", "activating"],
    ["setting up /etc...", "activating"],
    ["switching to system configuration /nix/store/abc-nixos-system-misato", "activating"],
    ["🚀 ℹ️ [deploy] [INFO] Evaluating flake in /tmp/magi-flake-x", "evaluating"],
    ["🚀 ℹ️ [deploy] [INFO] Building profile `system` for node `misato`", "building"],
    ["🚀 ℹ️ [deploy] [INFO] Copying profile `system` to node `misato`", "copying"],
    ["🚀 ℹ️ [deploy] [INFO] Activating profile `system` for node `misato`", "activating"],
    ["misato | Evaluating misato", "evaluating"],
    ["misato | Built \"/nix/store/abc-nixos-system-misato\"", "building"],
    ["misato | Pushing system closure", "copying"],
    ["misato | Activating system profile", "activating"],
  ] as const)("%j → %s", (line, phase) => {
    expect(detectPhase(line)).toBe(phase);
  });

  it.each(["", "reloading user units for root...", "error: attribute 'misato' missing", "  /nix/store/abc-etc.drv"])("%j names no phase", (line) => {
    expect(detectPhase(line)).toBeUndefined();
  });
});

describe("createPhaseTracker", () => {
  it("follows a nixos-rebuild switch forward, once per phase", () => {
    expect(phasesOf(NIXOS_REBUILD)).toEqual(["building", "copying", "activating"]);
  });

  it("never moves back when a later line mentions an earlier word", () => {
    const seen = phasesOf(["activating the configuration...", "starting the following units: building-cache.service", "copying 1 paths..."]);
    expect(seen).toEqual(["activating"]);
  });

  it("stays in evaluating through a Nix evaluation error", () => {
    const tracker = createPhaseTracker("evaluating", () => {});
    for (const line of ["building the system configuration...", "error:", "       … while calling the 'seq' builtin", "       error: attribute 'misato' missing"]) tracker.push(line);
    expect(tracker.current()).toBe("evaluating");
  });
});
