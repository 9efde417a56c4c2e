// How !hosts shows a host's pinned SSH key: a short fingerprint and where the pin comes from.
import { formatUtc } from "../../domain/format-utc.ts";
import type { HostEntry } from "../../runners/inventory.ts";
import type { HostPin } from "../../runners/enroll/types.ts";

// Base64 characters of the SHA256 fingerprint kept in the table: enough to tell keys apart at a glance, short enough to read.
const SHORT_CHARS = 12;

// "SHA256:AbCdEf123456…": the start of what `ssh-keygen -lf` prints.
export function shortenFingerprint(fingerprint: string): string {
  const match = /^(SHA256:)(.+)$/.exec(fingerprint);
  if (!match || match[2]!.length <= SHORT_CHARS) return fingerprint;
  return `${match[1]}${match[2]!.slice(0, SHORT_CHARS)}…`;
}

// The host key cell: the pin and its source, or why there is none.
export function describeHostKey(host: HostEntry, pin: HostPin | undefined): string {
  if (!host.ssh) return "no ssh";
  if (!pin) return "not pinned (!enroll)";
  const short = shortenFingerprint(pin.fingerprint);
  if (pin.source === "config") return `${short} (config)`;
  const when = pin.pinnedAt !== undefined ? ` ${formatUtc(pin.pinnedAt, "minutes")}` : "";
  return `${short} (enrolled${pin.pinnedBy ? ` by ${pin.pinnedBy}` : ""}${when})`;
}
