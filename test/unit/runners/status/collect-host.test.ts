import { describe, expect, it } from "vitest";
import { collectHost, type RunProbe } from "../../../../runners/status/collect-host.ts";
import { mapConcurrently } from "../../../../runners/status/fan-out.ts";
import { PROBE_SCRIPT } from "../../../../runners/status/probe-script.ts";
import type { HostEntry } from "../../../../runners/inventory.ts";
import type { StatusSettings } from "../../../../runners/status/types.ts";
import { exited, refused } from "./make-result.ts";
import { HEALTHY, renderProbeOutput } from "./probe-output.ts";

const SETTINGS: StatusSettings = {
  timeoutMs: 300,
  concurrency: 4,
  diskThresholdPercent: 90,
  checks: [
    { name: "k8s-nodes", command: ["kubectl", "get", "nodes"], tags: ["k3s"], ok: { exitCode: 0 } },
    { name: "storage-only", command: ["true"], tags: ["storage"], ok: { exitCode: 0 } },
  ],
};

function host(name: string, extra: Partial<HostEntry> = {}): HostEntry {
  const ssh = { name, address: "127.0.0.1", port: 22, user: "root", identityFile: "/k", hostKey: "ssh-ed25519 AAAA", sudo: true };
  return { name, address: "127.0.0.1", tags: ["k3s"], ssh, ...extra };
}

const isProbeScript = (argv: readonly string[]) => argv[0] === "sh" && argv[2] === PROBE_SCRIPT;

// Answers the probe script with a healthy host's sections and each check with a Ready node, recording what ran and how.
function answering(calls: { argv: readonly string[]; sudo: boolean | undefined; handlesControl?: boolean | undefined }[] = []): RunProbe {
  return async (_target, argv, opts) => {
    calls.push({ argv, sudo: opts.sudo, handlesControl: opts.handlesControl });
    return exited(0, isProbeScript(argv) ? renderProbeOutput(HEALTHY) : "misato Ready\n");
  };
}

describe("collectHost", () => {
  it("runs the built-in probes in one session and each check for the host's tags in its own; only checks use the host's sudo", async () => {
    const calls: { argv: readonly string[]; sudo: boolean | undefined; handlesControl?: boolean | undefined }[] = [];
    const status = await collectHost(host("misato"), SETTINGS, answering(calls));
    expect(status).toMatchObject({ reach: "up", uptime: { kind: "ok" }, nixos: { kind: "ok" }, disks: { kind: "ok" }, checks: [{ name: "k8s-nodes", ok: true }] });
    expect(calls.map((c) => c.argv)).toEqual([["sh", "-c", PROBE_SCRIPT, "magi-probe", "6"], ["kubectl", "get", "nodes"]]);
    expect(calls.filter((c) => c.sudo).map((c) => c.argv[0])).toEqual(["kubectl"]);
    // Only the probe script reads the runner's control lines itself; a check gets the runner's wrapper.
    expect(calls.map((c) => c.handlesControl ?? false)).toEqual([true, false]);
  });

  it("gives a hung host's row at the deadline and cancels its probes", async () => {
    const signals: AbortSignal[] = [];
    const hang: RunProbe = (_t, _a, opts) => (signals.push(opts.signal!), new Promise(() => {}));
    const started = Date.now();
    const status = await collectHost(host("casper"), SETTINGS, hang);
    expect(Date.now() - started).toBeLessThan(SETTINGS.timeoutMs + 200);
    expect(status).toMatchObject({ host: "casper", reach: "unreachable", note: "no answer within 0.3 s" });
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it("keeps the sections that streamed in when one probe hangs past the deadline", async () => {
    // The script prints finished sections at once; units never finishes, so the session is still open at the deadline.
    const slowUnits: RunProbe = (t, argv, opts) => {
      if (!isProbeScript(argv)) return answering()(t, argv, opts);
      const lines = renderProbeOutput(HEALTHY.filter((s) => s.name !== "units")).split("\n").slice(0, -1);
      for (const line of lines) opts.onLine?.(line, "stdout");
      opts.onLine?.("stray text on stderr", "stderr");
      return new Promise(() => {});
    };
    const status = await collectHost(host("misato"), SETTINGS, slowUnits);
    expect(status).toMatchObject({ reach: "up", failedUnits: { kind: "unknown", note: "no answer within 0.3 s" }, nixos: { kind: "ok" }, disks: { kind: "ok" } });
  });

  it("reports a refused connection at once, and a host without ssh without trying", async () => {
    const down: RunProbe = async () => refused("cannot connect to melchior (root@127.0.0.1:22): connect ECONNREFUSED 127.0.0.1:22");
    const started = Date.now();
    expect(await collectHost(host("melchior"), SETTINGS, down)).toMatchObject({ reach: "unreachable", note: "connection refused" });
    expect(Date.now() - started).toBeLessThan(100);
    const never: RunProbe = () => Promise.reject(new Error("must not run"));
    expect(await collectHost(host("vps", { ssh: undefined }), SETTINGS, never)).toEqual({ host: "vps", reach: "no-ssh" });
  });
});

describe("mapConcurrently", () => {
  it("keeps order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const delays = [50, 10, 30, 5, 20, 1];
    const results = await mapConcurrently(delays, 2, async (ms) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 2;
    });
    expect(results).toEqual([100, 20, 60, 10, 40, 2]);
    expect(peak).toBe(2);
  });

  it("lets a slow item hold up only its own slot", async () => {
    const started = Date.now();
    await mapConcurrently([200, 20, 20, 20, 20], 2, (ms) => new Promise((r) => setTimeout(r, ms)));
    expect(Date.now() - started).toBeLessThan(260);
  });
});
