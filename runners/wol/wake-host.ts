// Wakes a host: sends the magic packet (directly or through a relay), then waits for its SSH to answer.
import type { Inventory, HostEntry } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import type { SshPool } from "../ssh/index.ts";
import { parseMac } from "./magic-packet.ts";
import { sendMagicPacket, type SendOutcome } from "./send-magic-packet.ts";
import { buildWakeonlanArgv, sendViaRelay } from "./send-via-relay.ts";
import { probeSsh, SYSTEM_CLOCK, waitForSshState, type WaitClock } from "../ssh/index.ts";

// Tuning for wakeHost; clock measures the deadline (tests may pass a fake), pool is for SSH to relays.
export type WakeOptions = { pollIntervalMs?: number; clock?: WaitClock; pool?: SshPool };

// The config schema's defaults, for a host with a MAC address but no wake section.
const DEFAULT_WAKE: NonNullable<HostEntry["wake"]> = { broadcast: "255.255.255.255", port: 9, timeoutSeconds: 300 };
// Short: a sleeping host costs this much before its packet goes out.
const PRECHECK_TIMEOUT_MS = 2_000;

// Sends from here or from the relay host, logging which; relay problems are values like the rest.
async function sendPacket(entry: HostEntry, mac: string, inventory: Inventory, io: JobIO, opts: WakeOptions): Promise<SendOutcome> {
  const wake = entry.wake ?? DEFAULT_WAKE;
  const dest = { broadcast: wake.broadcast, port: wake.port };
  if (!wake.relay) {
    io.log(`sending magic packet for ${mac} to ${dest.broadcast}:${dest.port} directly from magi`);
    return sendMagicPacket(mac, dest);
  }
  const relay = inventory.get(wake.relay)?.ssh;
  if (!relay) return { ok: false, problem: `relay ${wake.relay} for ${entry.name} is not a host with ssh settings` };
  io.log(`sending magic packet for ${mac} to ${dest.broadcast}:${dest.port} through relay ${relay.name}: ${buildWakeonlanArgv(mac, dest).join(" ")}`);
  return sendViaRelay(relay, mac, dest, {
    signal: io.signal,
    onLine: (line) => io.log(`${relay.name}: ${line}`),
    ...(opts.pool ? { pool: opts.pool } : {}),
  });
}

// Checks whether SSH already answers; a wrong host key stops the wake before anything is sent.
async function checkAlreadyUp(entry: HostEntry, io: JobIO): Promise<"up" | "down" | "cancelled" | { refused: string }> {
  if (!entry.ssh) return "down";
  io.log(`checking whether ${entry.name} already answers on ssh`);
  const probe = await probeSsh(entry.ssh, PRECHECK_TIMEOUT_MS, io.signal);
  if (probe === "cancelled") return "cancelled";
  if (probe.ok) return "up";
  if (probe.reason === "host-key-mismatch") return { refused: probe.message };
  return "down";
}

// Wakes entry and reports how it went; never throws for expected failures and honours io.signal.
export async function wakeHost(entry: HostEntry, inventory: Inventory, io: JobIO, opts: WakeOptions = {}): Promise<JobOutcome> {
  const clock = opts.clock ?? SYSTEM_CLOCK;
  const now = () => clock.now();
  const name = entry.name;
  if (!entry.mac) return { ok: false, summary: `no MAC address configured for ${name}` };
  const parsed = parseMac(entry.mac);
  if (!parsed.ok) return { ok: false, summary: `bad MAC address for ${name}: ${parsed.problem}` };
  const cancelledBeforeSend = { ok: false, cancelled: true, summary: `cancelled before the magic packet for ${name} was sent` };
  if (io.signal.aborted) return cancelledBeforeSend;

  io.phase("sending magic packet");
  const before = await checkAlreadyUp(entry, io);
  if (before === "cancelled") return cancelledBeforeSend;
  if (typeof before === "object") return { ok: false, summary: before.refused };
  if (before === "up") io.log(`${name} already answers on ssh; sending the magic packet anyway`);
  const sent = await sendPacket(entry, parsed.canonical, inventory, io, opts);
  if (!sent.ok) return io.signal.aborted ? { ...cancelledBeforeSend, summary: sent.problem } : { ok: false, summary: sent.problem };
  const sentAt = now();
  io.log("magic packet sent");
  if (before === "up") return { ok: true, summary: `${name} was already up` };
  if (!entry.ssh) return { ok: true, summary: `magic packet sent to ${name}; it has no ssh settings, so magi cannot tell whether it woke` };

  io.phase("waiting for ssh");
  const timeoutSeconds = (entry.wake ?? DEFAULT_WAKE).timeoutSeconds;
  const waited = await waitForSshState(entry.ssh, "up", {
    deadline: sentAt + timeoutSeconds * 1000,
    signal: io.signal,
    pollIntervalMs: opts.pollIntervalMs ?? 1_000,
    clock,
    log: io.log,
    since: sentAt,
  });
  switch (waited.state) {
    case "reached":
      io.log(`${name} answers on ssh with its pinned host key`);
      return { ok: true, summary: `${name} is up after ${waited.seconds} s` };
    case "cancelled":
      return { ok: false, cancelled: true, summary: `cancelled while waiting for ${name} to answer on ssh (the magic packet was sent)` };
    case "refused":
      return { ok: false, summary: waited.message };
    case "timeout":
      return { ok: false, timedOut: true, summary: `${name} did not answer on ssh within ${timeoutSeconds} s after the magic packet` };
  }
}
