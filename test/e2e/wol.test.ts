import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HostEntry, Inventory } from "../../runners/inventory.ts";
import type { JobIO } from "../../runners/jobs/types.ts";
import { createSshPool, parsePublicKeyLine } from "../../runners/ssh/index.ts";
import { sendMagicPacket } from "../../runners/wol/send-magic-packet.ts";
import { sendViaRelay } from "../../runners/wol/send-via-relay.ts";
import { wakeHost } from "../../runners/wol/wake-host.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { targetOf } from "./harness/ssh-helpers.ts";
import { relaunchSshd, startUdpListener, type Relaunched, type UdpListener } from "./harness/wake-helpers.ts";

const MAC = "00:11:22:aa:bb:cc";
// Written out by hand so the test does not share the builder's logic.
const EXPECTED = "ffffffffffff" + "001122aabbcc".repeat(16);
const dir = mkdtempSync(join(tmpdir(), "magi-wol-e2e-"));
const pool = createSshPool({ idleMs: 1_000 });
let relay: TestSshd;
let fakeRelay: TestSshd;
let nas: TestSshd;
let listener: UdpListener;
let awake: Relaunched | undefined;

beforeAll(async () => {
  // The relay test must run the real tool; .ci/run installs it (Debian package wakeonlan).
  execFileSync("sh", ["-c", "command -v wakeonlan"], { stdio: "ignore" });
  const fakes = join(dir, "fakes");
  mkdirSync(fakes);
  // Mimics wakeonlan 0.41 rejecting an address: a warning on stderr and still exit 0.
  writeFileSync(join(fakes, "wakeonlan"), '#!/bin/sh\necho "$5 is not a hardware address" >&2\nexit 0\n', { mode: 0o755 });
  [relay, fakeRelay, nas] = await Promise.all([
    startSshd({ dir, name: "relay" }),
    startSshd({ dir, name: "fakerelay", pathPrefix: fakes }),
    startSshd({ dir, name: "nas" }),
  ]);
  // nas starts "asleep": its keys and port are known, nothing listens until the packet arrives.
  await nas.stop();
});

afterEach(async () => {
  listener?.close();
  await awake?.stop();
  awake = undefined;
});

afterAll(async () => {
  await pool.closeAll();
  await Promise.all([relay?.stop(), fakeRelay?.stop()]);
});

// A JobIO that records what the work said.
function recordIO(signal = new AbortController().signal): JobIO & { logs: string[]; phases: string[] } {
  const logs: string[] = [];
  const phases: string[] = [];
  return { signal, logs, phases, log: (l) => logs.push(l), phase: (p) => phases.push(p) };
}

// nas as the inventory would describe it, sending to the loopback broadcast address the listener is on.
function nasEntry(overrides: Partial<HostEntry> = {}, timeoutSeconds = 10): HostEntry {
  return {
    name: "nas",
    address: "127.0.0.1",
    tags: [],
    mac: MAC,
    wake: { broadcast: listener.address, port: listener.port, timeoutSeconds },
    ssh: { ...targetOf(nas), sudo: false },
    ...overrides,
  };
}

// Powers nas on delayMs after its magic packet arrives, like a NIC waking the machine.
function wakeOnPacket(delayMs: number): { packetAt: () => number } {
  let at = 0;
  listener.onPacket(() => {
    if (at) return;
    at = Date.now();
    setTimeout(() => void relaunchSshd(nas, dir).then((r) => (awake = r)), delayMs);
  });
  return { packetAt: () => at };
}

// What the SSH runner says when nas answers but the pin is relay's key.
function mismatchMessage(): string {
  const expected = parsePublicKeyLine(relay.hostKeyLine).fingerprint;
  const got = parsePublicKeyLine(nas.hostKeyLine).fingerprint;
  return `host key of nas changed: expected ${expected}, got ${got}`;
}

describe("sending the magic packet", () => {
  it("broadcasts exactly the right 102 bytes from magi", async () => {
    listener = await startUdpListener();
    expect(await sendMagicPacket("00-11-22-AA-BB-CC", { broadcast: listener.address, port: listener.port })).toEqual({ ok: true, canonicalMac: MAC });
    const packets = await listener.waitForPackets(1);
    expect(packets.map((p) => p.toString("hex"))).toEqual([EXPECTED]);
  });

  it("sends the same bytes through a relay host running the real wakeonlan", async () => {
    listener = await startUdpListener();
    const lines: string[] = [];
    const sent = await sendViaRelay(targetOf(relay), "00-11-22-AA-BB-CC", { broadcast: listener.address, port: listener.port }, { pool, onLine: (l) => lines.push(l) });
    expect(sent).toEqual({ ok: true, canonicalMac: MAC });
    expect(lines[0]).toBe(`Sending magic packet to ${listener.address}:${listener.port} with ${MAC}`);
    const packets = await listener.waitForPackets(1);
    expect(packets.map((p) => p.toString("hex"))).toEqual([EXPECTED]);
  });

  it("reports a relay whose wakeonlan sent nothing, even though it exited 0", async () => {
    listener = await startUdpListener();
    const sent = await sendViaRelay(targetOf(fakeRelay), MAC, { broadcast: listener.address, port: listener.port }, { pool });
    expect(sent).toEqual({ ok: false, problem: `wakeonlan on relay fakerelay did not send the magic packet: ${MAC} is not a hardware address` });
  });

  it("wakes through the relay named in the wake settings and logs which way it went", async () => {
    listener = await startUdpListener();
    const inventory: Inventory = new Map([["relay", { name: "relay", address: "127.0.0.1", tags: [], ssh: { ...targetOf(relay), sudo: true } }]]);
    const entry = nasEntry({ wake: { broadcast: listener.address, port: listener.port, relay: "relay", timeoutSeconds: 10 } });
    delete entry.ssh;
    const io = recordIO();
    const outcome = await wakeHost(entry, inventory, io, { pool });
    expect(outcome).toEqual({ ok: true, summary: "magic packet sent to nas; it has no ssh settings, so magi cannot tell whether it woke" });
    expect(io.logs).toContain(`sending magic packet for ${MAC} to ${listener.address}:${listener.port} through relay relay: wakeonlan -i ${listener.address} -p ${listener.port} ${MAC}`);
    expect((await listener.waitForPackets(1)).map((p) => p.toString("hex"))).toEqual([EXPECTED]);
  });
});

describe("wakeHost waiting for ssh", () => {
  it("reports the host up about 2 s after the packet woke it", async () => {
    listener = await startUdpListener();
    const waker = wakeOnPacket(2_000);
    const io = recordIO();
    const outcome = await wakeHost(nasEntry(), new Map(), io, { pollIntervalMs: 250 });
    const took = Date.now() - waker.packetAt();
    expect(outcome.ok).toBe(true);
    // Rounded seconds: 2 unless this machine is very slow to start sshd.
    expect(outcome.summary).toMatch(/^nas is up after [23] s$/);
    expect(took).toBeGreaterThanOrEqual(2_000);
    expect(took).toBeLessThan(3_500);
    expect(io.phases).toEqual(["sending magic packet", "waiting for ssh"]);
    expect(io.logs).toContain(`sending magic packet for ${MAC} to ${listener.address}:${listener.port} directly from magi`);
    expect(listener.packets.map((p) => p.toString("hex"))).toEqual([EXPECTED]);
  });

  it("still sends to a host that is already up, and says so", async () => {
    listener = await startUdpListener();
    awake = await relaunchSshd(nas, dir);
    const outcome = await wakeHost(nasEntry(), new Map(), recordIO());
    expect(outcome).toEqual({ ok: true, summary: "nas was already up" });
    expect((await listener.waitForPackets(1)).map((p) => p.toString("hex"))).toEqual([EXPECTED]);
  });

  it("times out on a host that never answers, with one progress line per ~5 s", async () => {
    listener = await startUdpListener();
    const io = recordIO();
    const started = Date.now();
    const outcome = await wakeHost(nasEntry({}, 6), new Map(), io, { pollIntervalMs: 100 });
    expect(outcome).toEqual({ ok: false, timedOut: true, summary: "nas did not answer on ssh within 6 s after the magic packet" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(6_000);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(io.logs.filter((l) => l.startsWith("no ssh yet")).length).toBe(2);
  });

  it("stops polling at once when the woken host shows the wrong host key", async () => {
    listener = await startUdpListener();
    wakeOnPacket(500);
    const io = recordIO();
    const started = Date.now();
    const outcome = await wakeHost(nasEntry({ ssh: { ...targetOf(nas), hostKey: relay.hostKeyLine, sudo: false } }), new Map(), io, { pollIntervalMs: 100 });
    expect(outcome).toEqual({ ok: false, summary: mismatchMessage() });
    expect(io.phases).toEqual(["sending magic packet", "waiting for ssh"]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("refuses to send at all when a host that is already up shows the wrong host key", async () => {
    listener = await startUdpListener();
    awake = await relaunchSshd(nas, dir);
    const outcome = await wakeHost(nasEntry({ ssh: { ...targetOf(nas), hostKey: relay.hostKeyLine, sudo: false } }), new Map(), recordIO());
    expect(outcome).toEqual({ ok: false, summary: mismatchMessage() });
    await new Promise((r) => setTimeout(r, 200));
    expect(listener.packets).toEqual([]);
  });

  it("ends as cancelled soon after the job's signal fires", async () => {
    listener = await startUdpListener();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_000);
    const started = Date.now();
    const outcome = await wakeHost(nasEntry(), new Map(), recordIO(controller.signal), { pollIntervalMs: 2_000 });
    expect(outcome).toMatchObject({ ok: false, cancelled: true });
    expect(outcome.summary).toMatch(/^cancelled while waiting for nas/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(listener.packets).toHaveLength(1);
  });
});
