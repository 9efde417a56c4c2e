import { describe, expect, it } from "vitest";
import { assessHost } from "../../../../runners/status/assess.ts";
import { describeRow } from "../../../../runners/status/describe-row.ts";
import { readProbeReport } from "../../../../runners/status/parse-sections.ts";
import { splitProbeResults } from "../../../../runners/status/split-probes.ts";
import { exited, OUTPUTS, refused } from "./make-result.ts";
import { HEALTHY, renderProbeOutput, type FakeSection } from "./probe-output.ts";

const OPTS = { timeoutMs: 2000, elapsedMs: 400, diskThresholdPercent: 90 };

// What the host's row would be, given the script's stdout and how its session ended (undefined: still running at the deadline).
function assessOutput(text: string, session: ReturnType<typeof exited> | undefined) {
  const probes = splitProbeResults(readProbeReport(text), session, "misato");
  return assessHost("misato", { probes, checks: [], ...(session ? { session } : {}) }, OPTS);
}

const without = (name: FakeSection["name"]) => HEALTHY.filter((s) => s.name !== name);

describe("splitProbeResults", () => {
  it("gives each probe the result it would have had in its own session", () => {
    const text = renderProbeOutput([...without("links"), { name: "links", stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: x: No such file or directory\n", exit: 1 }]);
    const probes = splitProbeResults(readProbeReport(text), exited(0, text), "misato");
    expect(probes.proc).toMatchObject({ exitCode: 0, failed: false, timedOut: false, stdout: OUTPUTS.proc, command: "cat /proc/uptime /proc/loadavg" });
    expect(probes.links).toMatchObject({ exitCode: 1, failed: true, reason: "exit-code", stderr: "readlink: x: No such file or directory\n" });
  });

  it("takes a probe's exit code at face value, 124 included: the script sets no limits of its own", () => {
    const text = renderProbeOutput([...without("zfs"), { name: "zfs", stderr: "zpool: odd failure\n", exit: 124 }]);
    const status = assessOutput(text, exited(0, text));
    expect(status).toMatchObject({ reach: "up", zfs: { kind: "unknown", note: "exit 124: zpool: odd failure" }, nixos: { kind: "ok" } });
    expect(describeRow(status)).toEqual(["misato", "attention", "14d 6h", "0.52", "24.11.20241201.abcdef0 gen 42", "zfs: exit 124: zpool: odd failure"]);
  });

  it("keeps the sections that arrived when the script is still running at the deadline", () => {
    const status = assessOutput(renderProbeOutput(without("units")), undefined);
    expect(status).toMatchObject({ reach: "up", failedUnits: { kind: "unknown", note: "no answer within 2 s" }, uptime: { kind: "ok" }, disks: { kind: "ok" } });
  });

  it("shows a host whose script printed nothing by the deadline as unreachable, as before", () => {
    expect(assessOutput(renderProbeOutput([]), undefined)).toEqual({ host: "misato", reach: "unreachable", note: "no answer within 2 s", elapsedMs: 400 });
  });

  it("hands a refused connection to every probe, so the row says why", () => {
    const down = refused("cannot connect to misato (root@127.0.0.1:22): connect ECONNREFUSED 127.0.0.1:22");
    const probes = splitProbeResults(readProbeReport(""), down, "misato");
    expect(Object.values(probes)).toHaveLength(6);
    expect(assessHost("misato", { probes, checks: [], session: down }, OPTS)).toMatchObject({ reach: "unreachable", note: "connection refused" });
  });

  it("explains probes missing from a script that ran but failed, without calling the host unreachable", () => {
    const session = exited(70, "", "magi-probe: cannot create /tmp/magi-probe.3f1c2a9e.proc.out\n");
    const status = assessOutput("", session);
    expect(status).toMatchObject({
      reach: "up",
      uptime: { kind: "unknown", note: "no proc section from the probe script on misato (exit 70: magi-probe: cannot create /tmp/magi-probe.3f1c2a9e.proc.out)" },
      disks: { kind: "unknown", note: "no disks section from the probe script on misato (exit 70: magi-probe: cannot create /tmp/magi-probe.3f1c2a9e.proc.out)" },
    });
  });
});
