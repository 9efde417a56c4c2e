// Sends a magic packet from another host over SSH, for machines on a LAN magi's own broadcasts don't reach.
import { runCommand, type SshPool, type SshTarget } from "../ssh/index.ts";
import { checkDestination, type WakeDestination } from "./destination.ts";
import { parseMac } from "./magic-packet.ts";
import type { SendOutcome } from "./send-magic-packet.ts";

// How long the relay gets to run the tool; it sends one datagram and exits.
const RELAY_TIMEOUT_MS = 20_000;

// The fixed command run on the relay: jpoliv's wakeonlan (Debian `wakeonlan` 0.41, nixpkgs
// `wakeonlan` 0.42) takes -i/-p on both versions and only the colon MAC form on 0.41.
export function buildWakeonlanArgv(canonicalMac: string, dest: WakeDestination): string[] {
  return ["wakeonlan", "-i", dest.broadcast, "-p", String(dest.port), canonicalMac];
}

// Options for sendViaRelay; pool defaults to the process-wide SSH pool.
export type RelayOptions = { signal?: AbortSignal; pool?: SshPool; onLine?: (line: string) => void };

// Runs wakeonlan on the relay; success needs both exit 0 and its "Sending magic packet" line,
// because both versions exit 0 after rejecting an address and 0.42 also ignores send errors.
export async function sendViaRelay(relay: SshTarget, mac: string, dest: WakeDestination, opts: RelayOptions = {}): Promise<SendOutcome> {
  const parsed = parseMac(mac);
  if (!parsed.ok) return parsed;
  const bad = checkDestination(dest);
  if (bad) return { ok: false, problem: bad };
  const argv = buildWakeonlanArgv(parsed.canonical, dest);
  const result = await runCommand(relay, argv, {
    timeoutMs: RELAY_TIMEOUT_MS,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.pool ? { pool: opts.pool } : {}),
    ...(opts.onLine ? { onLine: opts.onLine } : {}),
  });
  const said = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" / ");
  if (result.isCanceled) return { ok: false, problem: `cancelled while sending through ${relay.name}` };
  if (result.exitCode === 127) {
    return { ok: false, problem: `wakeonlan is not installed on relay ${relay.name} (NixOS: pkgs.wakeonlan in environment.systemPackages; Debian: apt install wakeonlan)` };
  }
  if (result.failed) return { ok: false, problem: `relay ${relay.name} could not send the magic packet: ${result.message}${said ? `: ${said}` : ""}` };
  if (!result.stdout.includes("Sending magic packet")) {
    return { ok: false, problem: `wakeonlan on relay ${relay.name} did not send the magic packet${said ? `: ${said}` : ""}` };
  }
  return { ok: true, canonicalMac: parsed.canonical };
}
