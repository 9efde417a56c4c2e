import { describe, expect, it } from "vitest";
import { assessHost } from "../../../../runners/status/assess.ts";
import { describeDetail } from "../../../../runners/status/describe-detail.ts";
import { describeRow } from "../../../../runners/status/describe-row.ts";
import { readProbeReport } from "../../../../runners/status/parse-sections.ts";
import { splitProbeResults, UNBOUNDED_NOTE } from "../../../../runners/status/split-probes.ts";
import { exited, OUTPUTS, refused } from "./make-result.ts";
import { HEALTHY, renderProbeOutput, type FakeSection } from "./probe-output.ts";

const OPTS = { timeoutMs: 2000, elapsedMs: 400, diskThresholdPercent: 90 };

// What the host's row would be, given the script's stdout and how its session ended (undefined: still running at the deadline).
function assessOutput(text: string, session: ReturnType<typeof exited> | undefined) {
  const { probes, notes } = splitProbeResults(readProbeReport(text), session, "misato");
  return assessHost("misato", { probes, checks: [], notes, ...(session ? { session } : {}) }, OPTS);
}

const without = (name: FakeSection["name"]) => HEALTHY.filter((s) => s.name !== name);

describe("splitProbeResults", () => {
  it("gives each probe the result it would have had in its own session", () => {
    const text = renderProbeOutput([...without("links"), { name: "links", stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: x: No such file or directory\n", exit: 1 }]);
    const { probes, notes } = splitProbeResults(readProbeReport(text), exited(0, text), "misato");
    expect(probes.proc).toMatchObject({ exitCode: 0, failed: false, timedOut: false, stdout: OUTPUTS.proc, command: "cat /proc/uptime /proc/loadavg" });
    expect(probes.links).toMatchObject({ exitCode: 1, failed: true, reason: "exit-code", stderr: "readlink: x: No such file or directory\n" });
    expect(notes).toEqual([]);
  });

  it("turns a probe cut off by its limit into a timed-out result, so its partial output is not trusted", () => {
    const partialDf = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 50 50 50% /\n";
    const text = renderProbeOutput([...without("disks"), { name: "disks", stdout: partialDf, exit: 124 }]);
    const { probes } = splitProbeResults(readProbeReport(text), exited(0, text), "misato");
    expect(probes.disks).toMatchObject({ exitCode: null, timedOut: true, reason: "timeout", message: "disks timed out after 1.6 s on misato" });
    const status = assessOutput(text, exited(0, text));
    expect(status).toMatchObject({ reach: "up", disks: { kind: "unknown", note: "no answer within 2 s" }, nixos: { kind: "ok" }, zfs: { kind: "ok" } });
    expect(describeRow(status)[5]).toBe("disks: no answer within 2 s");
  });

  it("takes 124 at face value and says so in the row when the host had no timeout command", () => {
    const text = renderProbeOutput([...without("zfs"), { name: "zfs", stderr: "zpool: odd failure\n", exit: 124 }], "none");
    const status = assessOutput(text, exited(0, text));
    expect(status).toMatchObject({ reach: "up", zfs: { kind: "unknown", note: "exit 124: zpool: odd failure" }, notes: [UNBOUNDED_NOTE] });
    expect(describeRow(status)).toEqual(["misato", "attention", "14d 6h", "0.52", "24.11.20241201.abcdef0 gen 42", `zfs: exit 124: zpool: odd failure; ${UNBOUNDED_NOTE}`]);
    const healthy = assessOutput(renderProbeOutput(HEALTHY, "none"), exited(0, ""));
    expect(describeRow(healthy).slice(1, 2)).toEqual(["ok"]);
    expect(describeRow(healthy)[5]).toBe(UNBOUNDED_NOTE);
    expect(describeDetail(healthy).items.at(-1)).toBe(`note: ${UNBOUNDED_NOTE}`);
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
    const { probes } = splitProbeResults(readProbeReport(""), down, "misato");
    expect(Object.values(probes)).toHaveLength(6);
    expect(assessHost("misato", { probes, checks: [], session: down }, OPTS)).toMatchObject({ reach: "unreachable", note: "connection refused" });
  });

  it("explains probes missing from a script that ran but failed, without calling the host unreachable", () => {
    const session = exited(70, "", "magi-probe: mktemp -d failed\n");
    const status = assessOutput("", session);
    expect(status).toMatchObject({
      reach: "up",
      uptime: { kind: "unknown", note: "no proc section from the probe script on misato (exit 70: magi-probe: mktemp -d failed)" },
      disks: { kind: "unknown", note: "no disks section from the probe script on misato (exit 70: magi-probe: mktemp -d failed)" },
    });
  });
});
