import { describe, expect, it } from "vitest";
import { assessHost, type ProbeResults } from "../../../../runners/status/assess.ts";
import { evaluateCheck } from "../../../../runners/status/evaluate-check.ts";
import type { CustomCheck } from "../../../../runners/status/types.ts";
import { exited, OUTPUTS, refused } from "./make-result.ts";

const OPTS = { timeoutMs: 2000, elapsedMs: 400, diskThresholdPercent: 90 };
const K8S: CustomCheck = { name: "k8s-nodes", command: ["kubectl", "get", "nodes"], ok: { exitCode: 0, stdoutExcludes: "NotReady" } };

function nixosHost(overrides: Partial<ProbeResults["probes"]> = {}): ProbeResults {
  return {
    probes: {
      proc: exited(0, OUTPUTS.proc),
      links: exited(0, OUTPUTS.links),
      nixos: exited(0, OUTPUTS.nixos),
      units: exited(0, OUTPUTS.units),
      zfs: exited(0, OUTPUTS.zfsDegraded),
      disks: exited(0, OUTPUTS.df),
      ...overrides,
    },
    checks: [],
  };
}

describe("assessHost", () => {
  it("turns a NixOS host's answers into facts", () => {
    const status = assessHost("misato", nixosHost(), OPTS);
    expect(status).toMatchObject({
      host: "misato",
      reach: "up",
      uptime: { kind: "ok", value: { uptimeSeconds: 1234567.89 } },
      nixos: { kind: "ok", value: { version: "24.11.20241201.abcdef0" } },
      system: { kind: "ok", value: { generation: 42 } },
      failedUnits: { kind: "ok", value: [{ unit: "nginx.service" }, { unit: "restic-backups-nas.service" }] },
      zfs: { kind: "ok", value: [{ name: "tank", state: "DEGRADED" }] },
      disks: { kind: "ok", value: [{ mount: "/", percent: 93 }, { mount: "/boot", percent: 41 }] },
    });
  });

  it("says what does not apply on a host that is not NixOS and has no ZFS", () => {
    const status = assessHost("nas", nixosHost({
      links: exited(1, "", "readlink: /run/current-system: No such file or directory\n"),
      nixos: exited(127, "", "sh: 1: exec: nixos-version: not found\n"),
      units: exited(1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n"),
      zfs: exited(127, "", "sh: 1: exec: zpool: not found\n"),
    }), OPTS);
    expect(status).toMatchObject({
      reach: "up",
      nixos: { kind: "absent", note: "not NixOS" },
      system: { kind: "absent", note: "not NixOS" },
      failedUnits: { kind: "absent", note: "no systemd" },
      zfs: { kind: "absent", note: "no zpool" },
    });
  });

  it("keeps readlink's partial answer and df's table despite their exit code 1", () => {
    const status = assessHost("h", nixosHost({
      links: exited(1, "/nix/store/a-nixos-system-h\n/nix/store/a-nixos-system-h\n", "readlink: /nix/var/nix/profiles/system: No such file or directory\n"),
      disks: exited(1, OUTPUTS.df, "df: /mnt/nfs: Stale file handle\n"),
    }), OPTS);
    expect(status).toMatchObject({ system: { kind: "ok", value: { current: "/nix/store/a-nixos-system-h" } }, disks: { kind: "ok" } });
  });

  it("marks a probe that did not answer in time as unknown, keeping the rest", () => {
    const results = nixosHost();
    delete results.probes.units;
    const status = assessHost("h", results, OPTS);
    expect(status).toMatchObject({ reach: "up", failedUnits: { kind: "unknown", note: "no answer within 2 s" } });
  });

  it("reports a host where nothing answered as unreachable, with the reason", () => {
    expect(assessHost("h", { probes: {}, checks: [] }, OPTS)).toEqual({ host: "h", reach: "unreachable", note: "no answer within 2 s", elapsedMs: 400 });
    const down = { probes: { proc: refused("cannot connect to h (root@127.0.0.1:2222): connect ECONNREFUSED 127.0.0.1:2222") }, checks: [] };
    expect(assessHost("h", down, OPTS)).toMatchObject({ reach: "unreachable", note: "connection refused" });
    const fingerprints = { expected: `SHA256:${"A".repeat(43)}`, got: `SHA256:${"B".repeat(43)}` };
    const mismatch = { probes: { proc: { ...refused("host key of h changed", "host-key-mismatch"), hostKeyMismatch: fingerprints } }, checks: [] };
    expect(assessHost("h", mismatch, OPTS)).toMatchObject({ reach: "unreachable", note: `host key of h changed: expected ${fingerprints.expected}, got ${fingerprints.got}` });
  });

  it("judges custom checks alongside the probes", () => {
    const results = { ...nixosHost(), checks: [{ check: K8S, result: exited(0, "NAME  STATUS\nmisato  Ready\nbalthasar  NotReady\n") }] };
    expect(assessHost("h", results, OPTS)).toMatchObject({ checks: [{ name: "k8s-nodes", ok: false, note: 'output contains "NotReady"' }] });
  });
});

describe("evaluateCheck", () => {
  it("passes on the expected exit code and output", () => {
    expect(evaluateCheck(K8S, exited(0, "misato Ready\n"), 2000)).toEqual({ name: "k8s-nodes", ok: true, note: "ok" });
    const wantsText: CustomCheck = { name: "mounted", command: ["findmnt", "/srv"], ok: { exitCode: 0, stdoutIncludes: "/srv" } };
    expect(evaluateCheck(wantsText, exited(0, "TARGET SOURCE\n/srv tank/srv\n"), 2000).ok).toBe(true);
    expect(evaluateCheck(wantsText, exited(0, ""), 2000).note).toBe('output lacks "/srv"');
  });

  it("fails with the first stderr line, a missing command, or silence", () => {
    const down = exited(1, "", "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n");
    expect(evaluateCheck(K8S, down, 2000).note).toBe("exit 1: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?");
    expect(evaluateCheck(K8S, exited(127, "", "sh: kubectl: not found"), 2000).note).toBe("command not found on the host");
    expect(evaluateCheck(K8S, undefined, 2000).note).toBe("no answer within 2 s");
  });
});
