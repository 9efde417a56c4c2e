// Sends a magic packet from this machine with a UDP broadcast.
import { createSocket, type Socket } from "node:dgram";
import { checkDestination, type WakeDestination } from "./destination.ts";
import { buildMagicPacket } from "./magic-packet.ts";

// What sending did; problems are values, never thrown.
export type SendOutcome = { ok: true; canonicalMac: string } | { ok: false; problem: string };

// Binds, turns on SO_BROADCAST (only possible once bound) and sends one datagram.
function sendDatagram(socket: Socket, packet: Buffer, dest: WakeDestination): Promise<Error | undefined> {
  return new Promise((resolve) => {
    // Bind, setBroadcast and send failures can all surface as 'error' events rather than callbacks.
    socket.once("error", resolve);
    socket.bind(0, () => {
      try {
        socket.setBroadcast(true);
      } catch (err) {
        resolve(err as Error);
        return;
      }
      socket.send(packet, dest.port, dest.broadcast, (err) => resolve(err ?? undefined));
    });
  });
}

// Builds the packet for mac and broadcasts it to dest from this machine.
export async function sendMagicPacket(mac: string, dest: WakeDestination): Promise<SendOutcome> {
  const built = buildMagicPacket(mac);
  if (!built.ok) return built;
  const bad = checkDestination(dest);
  if (bad) return { ok: false, problem: bad };
  const socket = createSocket("udp4");
  const error = await sendDatagram(socket, built.packet, dest);
  // close() throws if the socket never bound; the send outcome is what matters.
  try {
    socket.close();
  } catch {
    // already closed
  }
  if (error) return { ok: false, problem: `cannot send the magic packet to ${dest.broadcast}:${dest.port}: ${error.message}` };
  return { ok: true, canonicalMac: built.canonical };
}
