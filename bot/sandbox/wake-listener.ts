// The sandbox's stand-in for the demo hosts' network cards: a UDP socket on loopback that reads
// Wake-on-LAN magic packets and powers on the demo host whose MAC address a packet names.
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { MAGIC_PACKET_LENGTH, parseMac } from "../../runners/wol/magic-packet.ts";

// The MAC address a magic packet wakes (lower case, colon-separated), or undefined for anything else:
// wrong length, no 6 × 0xFF sync stream, or 16 copies that are not all the same address.
export function readMagicPacket(packet: Buffer): string | undefined {
  if (packet.length !== MAGIC_PACKET_LENGTH || !packet.subarray(0, 6).every((b) => b === 0xff)) return undefined;
  const mac = packet.subarray(6, 12);
  for (let i = 1; i < 16; i++) if (!packet.subarray(6 + i * 6, 12 + i * 6).equals(mac)) return undefined;
  const parsed = parseMac([...mac].map((b) => b.toString(16).padStart(2, "0")).join(":"));
  return parsed.ok ? parsed.canonical : undefined;
}

// A listening wake socket.
export interface WakeListener {
  port: number;
  close(): Promise<void>;
}

// Listens on 127.0.0.1:port (0 picks one); wake(mac) runs for each valid packet and says whether it
// woke a host (false: unknown MAC or already running). Garbage is dropped without a word.
export async function startWakeListener(port: number, wake: (mac: string) => boolean, log: (line: string) => void = () => {}): Promise<WakeListener> {
  const socket = createSocket("udp4");
  socket.on("message", (packet: Buffer) => {
    const mac = readMagicPacket(packet);
    if (mac !== undefined && wake(mac)) log(`magic packet for ${mac}: powering on`);
  });
  socket.bind(port, "127.0.0.1");
  await Promise.race([once(socket, "listening"), once(socket, "error").then(([e]) => Promise.reject(e as Error))]);
  return {
    port: socket.address().port,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
