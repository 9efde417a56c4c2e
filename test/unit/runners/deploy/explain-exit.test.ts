import { describe, expect, it } from "vitest";
import { explainExit, findFailedUnits, formatDuration, pickErrorLine, shortenGeneration, type ExitFacts } from "../../../../runners/deploy/explain-exit.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const BEFORE = "6hq1d8gjsnx5mlm8v3bm1x2r0rz0kw4c-nixos-system-misato-25.05.20250501.0e9c1f2";
const AFTER = "39fz386c36f09a5zcdda2zb5d10342af-nixos-system-misato-25.05.20250601.0123456";

function facts(over: Partial<ExitFacts>): ExitFacts {
  return {
    host: "misato", sha: SHA, action: "switch", tool: "nixos-rebuild", exitCode: 0, cancelled: false, timedOut: false,
    phase: "activating", lines: [], durationMs: 83_000, generationBefore: BEFORE, generationAfter: AFTER, ...over,
  };
}

// What nixos-rebuild prints when switch-to-configuration exits 4.
const UNITS_FAILED_OUTPUT = [
  "activating the configuration...",
  "setting up /etc...",
  "reloading user units for root...",
  "restarting sysinit-reactivation.target",
  "warning: the following units failed: k3s.service, nginx.service",
  "",
  "× k3s.service - k3s service",
  "     Loaded: loaded (/etc/systemd/system/k3s.service; enabled; preset: enabled)",
  "     Active: failed (Result: exit-code) since Sun 2025-06-01 12:00:03 UTC; 1s ago",
];

// What Nix prints for an evaluation error under nixos-rebuild (which already said "building").
const EVAL_ERROR_OUTPUT = [
  "building the system configuration...",
  "error:",
  "       … while calling the 'seq' builtin",
  "         at /nix/store/8b1kq0xw2iv1vv3jqdbhwgcjh5azyxl1-source/lib/modules.nix:334:18:",
  "       (stack trace truncated; use '--show-trace' to show the full, detailed trace)",
  "",
  "       error: attribute 'misato' missing",
  "       at /nix/store/3q0wzy5hbmj2c9mkyd5yvprcw3fij5c4-source/hosts/common/k3s.nix:12:35:",
  "           12|   services.k3s.serverAddr = \"https://${hosts.misato.address}:6443\";",
];

describe("explainExit", () => {
  it("names host, short sha, action, duration and generations on success", () => {
    expect(explainExit(facts({}))).toEqual({
      ok: true, exitCode: 0, generationBefore: BEFORE, generationAfter: AFTER,
      summary: "deployed 0123456 to misato (switch) in 1 min 23 s: generation 6hq1d8gj…-nixos-system-misato-25.05.20250501.0e9c1f2 → 39fz386c…-nixos-system-misato-25.05.20250601.0123456",
    });
  });

  it("says unknown when a generation could not be read, and notes boot and dry-activate", () => {
    expect(explainExit(facts({ action: "boot", generationBefore: undefined, generationAfter: undefined, durationMs: 41_000 })).summary)
      .toBe("deployed 0123456 to misato (boot) in 41 s (active after the next reboot): generation unknown → unknown");
    expect(explainExit(facts({ action: "dry-activate", durationMs: 120_000 })).summary).toMatch(/^deployed 0123456 to misato \(dry-activate\) in 2 min \(nothing was changed\): /);
  });

  it("reports exit 4 with the failed units as not ok, but live", () => {
    const outcome = explainExit(facts({ exitCode: 4, lines: UNITS_FAILED_OUTPUT }));
    expect(outcome).toMatchObject({ ok: false, exitCode: 4, summary: "switched, but units failed: k3s.service, nginx.service (the new generation is live)" });
  });

  it("reads units failed from older nixos-rebuild, which exits 1 after the warning", () => {
    const lines = [...UNITS_FAILED_OUTPUT, "warning: error(s) occurred while switching to the new configuration"];
    expect(explainExit(facts({ exitCode: 1, lines })).summary).toBe("switched, but units failed: k3s.service, nginx.service (the new generation is live)");
  });

  it("says which phase an evaluation error failed in, with Nix's innermost error line", () => {
    const outcome = explainExit(facts({ exitCode: 1, phase: "evaluating", lines: EVAL_ERROR_OUTPUT, generationAfter: BEFORE }));
    expect(outcome).toMatchObject({ ok: false, exitCode: 1 });
    expect(outcome.summary).toBe("switch of 0123456 on misato failed while evaluating (nixos-rebuild exit 1): error: attribute 'misato' missing");
  });

  it("recognises an evaluation error even when the tracker had moved on", () => {
    expect(explainExit(facts({ exitCode: 1, phase: "building", lines: EVAL_ERROR_OUTPUT })).summary).toContain("failed while evaluating");
  });

  it("recognises a failed build", () => {
    const lines = ["building '/nix/store/abc-k3s.drv'...", "error: builder for '/nix/store/abc-k3s.drv' failed with exit code 2;", "       last 10 log lines:"];
    expect(explainExit(facts({ exitCode: 1, phase: "evaluating", lines })).summary)
      .toBe("switch of 0123456 on misato failed while building (nixos-rebuild exit 1): error: builder for '/nix/store/abc-k3s.drv' failed with exit code 2;");
  });

  it("falls back to the last line when there is no error: line", () => {
    const lines = ["copying 3 paths...", "ssh: connect to host 10.0.0.5 port 22: Connection refused", ""];
    expect(explainExit(facts({ exitCode: 1, phase: "copying", lines })).summary)
      .toBe("switch of 0123456 on misato failed while copying to the host (nixos-rebuild exit 1): ssh: connect to host 10.0.0.5 port 22: Connection refused");
  });

  it("says deploy-rs rolled back when its activation failed", () => {
    const lines = [...UNITS_FAILED_OUTPUT, "⭐ ⚠️ [activate] [WARN] De-activating due to error", "⭐ ℹ️ [activate] [INFO] Attempting to re-activate the last generation"];
    expect(explainExit(facts({ tool: "deploy", exitCode: 1, lines })).summary)
      .toBe("activation of 0123456 on misato failed (units failed: k3s.service, nginx.service); deploy rolled it back to the previous generation");
  });

  it("reports cancel and timeout with the phase, warning when activation was under way", () => {
    expect(explainExit(facts({ exitCode: null, signal: "SIGTERM", cancelled: true, phase: "building" }))).toMatchObject({ ok: false, cancelled: true, summary: "switch of 0123456 on misato cancelled while building" });
    expect(explainExit(facts({ exitCode: null, timedOut: true, durationMs: 3_600_000 }))).toMatchObject({
      ok: false, timedOut: true, summary: "switch of 0123456 on misato timed out after 60 min while activating; activation may be half done, check !status",
    });
  });

  it("tells a broken connection apart from a failure", () => {
    expect(explainExit(facts({ exitCode: null, connectionLost: "connection to misato lost: Keepalive timeout" })).summary)
      .toBe("lost the connection to misato while activating; nixos-rebuild keeps running there, check !status (connection to misato lost: Keepalive timeout)");
  });

  it("reports a command that never started", () => {
    expect(explainExit(facts({ exitCode: null, phase: "evaluating", notStarted: "spawn nixos-rebuild ENOENT" })).summary)
      .toBe("switch of 0123456 on misato did not start: spawn nixos-rebuild ENOENT");
  });
});

describe("helpers", () => {
  it("finds the last units-failed line", () => {
    expect(findFailedUnits(UNITS_FAILED_OUTPUT)).toEqual(["k3s.service", "nginx.service"]);
    expect(findFailedUnits(["misato | warning: the following units failed: a.service"])).toEqual(["a.service"]);
    expect(findFailedUnits(["activating the configuration..."])).toBeUndefined();
  });

  it("picks error lines through colmena's node prefix", () => {
    expect(pickErrorLine(["misato | error:", "misato |        error: attribute 'misato' missing", "[ERROR] Failed to evaluate the configuration"])).toBe("error: attribute 'misato' missing");
  });

  it("formats durations and generations", () => {
    expect(formatDuration(400)).toBe("0 s");
    expect(formatDuration(59_600)).toBe("1 min");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(shortenGeneration(undefined)).toBe("unknown");
    expect(shortenGeneration("not-a-store-name")).toBe("not-a-store-name");
  });
});
