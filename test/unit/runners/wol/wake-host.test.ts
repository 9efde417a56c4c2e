import { describe, expect, it } from "vitest";
import type { HostEntry } from "../../../../runners/inventory.ts";
import type { JobIO } from "../../../../runners/jobs/types.ts";
import { wakeHost } from "../../../../runners/wol/wake-host.ts";

// A JobIO that records phases, so a test can prove nothing was attempted.
function recordIO(signal = new AbortController().signal): JobIO & { phases: string[] } {
  const phases: string[] = [];
  return { signal, phases, log: () => {}, phase: (p) => phases.push(p) };
}

const nas: HostEntry = { name: "nas", address: "10.0.0.5", tags: [], mac: "00:11:22:aa:bb:cc" };

describe("wakeHost refusals before anything is sent", () => {
  it("needs a MAC address", async () => {
    const io = recordIO();
    expect(await wakeHost({ ...nas, mac: undefined }, new Map(), io)).toEqual({ ok: false, summary: "no MAC address configured for nas" });
    expect(io.phases).toEqual([]);
  });

  it("refuses a garbled MAC address", async () => {
    const outcome = await wakeHost({ ...nas, mac: "00:11:22:aa:bb" }, new Map(), recordIO());
    expect(outcome).toEqual({ ok: false, summary: 'bad MAC address for nas: "00:11:22:aa:bb" is not a MAC address like 00:11:22:33:44:55' });
  });

  it("names a relay that is missing or has no ssh settings", async () => {
    const entry: HostEntry = { ...nas, wake: { broadcast: "10.0.0.255", port: 9, relay: "gate", timeoutSeconds: 60 } };
    const outcome = await wakeHost(entry, new Map([["gate", { name: "gate", address: "10.0.0.1", tags: [] }]]), recordIO());
    expect(outcome).toEqual({ ok: false, summary: "relay gate for nas is not a host with ssh settings" });
  });

  it("refuses a broadcast address that is not IPv4", async () => {
    const entry: HostEntry = { ...nas, wake: { broadcast: "-f/etc/passwd", port: 9, timeoutSeconds: 60 } };
    expect(await wakeHost(entry, new Map(), recordIO())).toEqual({ ok: false, summary: '"-f/etc/passwd" is not an IPv4 broadcast address' });
  });

  it("is cancelled without sending when the signal already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const io = recordIO(controller.signal);
    expect(await wakeHost(nas, new Map(), io)).toEqual({ ok: false, cancelled: true, summary: "cancelled before the magic packet for nas was sent" });
    expect(io.phases).toEqual([]);
  });
});
