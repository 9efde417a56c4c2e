// Where a magic packet goes: an IPv4 (broadcast) address and a UDP port, checked before anything is sent.

// A checked destination for a magic packet.
export type WakeDestination = { broadcast: string; port: number };

// Refuses anything but a dotted-quad IPv4 address and a port in 1..65535; the relay passes both to a
// remote tool as arguments, so a value starting with "-" must never get that far.
export function checkDestination(dest: WakeDestination): string | undefined {
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(dest.broadcast);
  if (!octets || octets.slice(1).some((o) => Number(o) > 255)) return `${JSON.stringify(dest.broadcast.slice(0, 40))} is not an IPv4 broadcast address`;
  if (!Number.isInteger(dest.port) || dest.port < 1 || dest.port > 65535) return `${dest.port} is not a UDP port`;
  return undefined;
}
