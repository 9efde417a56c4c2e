// The Wake-on-LAN magic packet: 6 bytes of 0xFF, then the target's MAC address 16 times.

// A MAC address checked and normalised, or why it was refused.
export type ParsedMac = { ok: true; bytes: Buffer; canonical: string } | { ok: false; problem: string };

// Six two-digit hex pairs with one separator used throughout; mixed or missing separators are refused
// so that a typo like 00:11:22:33:44:5 is never silently padded into someone else's machine.
const MAC_PATTERN = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

// Parses "00:11:22:aa:bb:cc" or "00-11-22-AA-BB-CC"; canonical is lower-case and colon-separated,
// the one form every wakeonlan version accepts (0.41 on Debian 12 ignores the dash form).
export function parseMac(text: string): ParsedMac {
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (!MAC_PATTERN.test(text)) return { ok: false, problem: `${shown} is not a MAC address like 00:11:22:33:44:55` };
  const canonical = text.toLowerCase().replaceAll("-", ":");
  const bytes = Buffer.from(canonical.replaceAll(":", ""), "hex");
  // Broadcast and multicast addresses are never a network card's own address.
  if (bytes.every((b) => b === 0xff)) return { ok: false, problem: `${shown} is the broadcast address, not a machine's MAC address` };
  if (bytes.every((b) => b === 0)) return { ok: false, problem: `${shown} is all zeros, not a machine's MAC address` };
  if ((bytes[0]! & 1) === 1) return { ok: false, problem: `${shown} is a multicast address, not a machine's MAC address` };
  return { ok: true, bytes, canonical };
}

// Length of every magic packet.
export const MAGIC_PACKET_LENGTH = 6 + 16 * 6;

// Builds the 102-byte packet for a MAC address, or says why the address is unusable.
export function buildMagicPacket(mac: string): { ok: true; packet: Buffer; canonical: string } | { ok: false; problem: string } {
  const parsed = parseMac(mac);
  if (!parsed.ok) return parsed;
  const packet = Buffer.alloc(MAGIC_PACKET_LENGTH, 0xff);
  for (let i = 0; i < 16; i += 1) parsed.bytes.copy(packet, 6 + i * 6);
  return { ok: true, packet, canonical: parsed.canonical };
}
