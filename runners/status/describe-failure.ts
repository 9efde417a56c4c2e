// Short explanations of why a probe or a whole host gave no usable answer.
import { describeMismatch, type CommandResult } from "../ssh/index.ts";

const MAX_NOTE = 160;

function clip(text: string): string {
  return text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE - 1)}…` : text;
}

// Says "no answer within 2 s" in whole seconds where possible.
export function describeSilence(timeoutMs: number): string {
  const seconds = timeoutMs / 1000;
  return `no answer within ${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

// Why a command that ran (or tried to) gave nothing usable: the first stderr line, else what the runner said.
export function describeProbeFailure(result: CommandResult | undefined, timeoutMs: number): string {
  if (!result || result.timedOut) return describeSilence(timeoutMs);
  if (result.exitCode === null) return clip(result.message);
  const firstLine = result.stderr.split("\n").map((l) => l.trim()).find(Boolean);
  return clip(firstLine ? `exit ${result.exitCode}: ${firstLine}` : `exit ${result.exitCode}`);
}

// Reasons that mean we never got a working session on the host.
const CONNECT_REASONS = new Set(["connect", "unpinned", "host-key-mismatch", "connection-lost"]);

// Why a host could not be reached, from the results of its probes; undefined if any probe ran there.
export function describeUnreachable(host: string, results: readonly (CommandResult | undefined)[], timeoutMs: number): string | undefined {
  if (results.some((r) => r && r.exitCode !== null)) return undefined;
  const refused = results.find((r) => r?.reason && CONNECT_REASONS.has(r.reason));
  if (!refused) return describeSilence(timeoutMs);
  const message = refused.message;
  // The same sentence every other command gives, fingerprints included, so it can be checked against the host.
  const mismatch = refused.hostKeyMismatch;
  if (refused.reason === "host-key-mismatch") return mismatch ? describeMismatch(host, mismatch.expected, mismatch.got) : message;
  if (refused.reason === "unpinned") return "no pinned host key: refusing to connect";
  if (/ECONNREFUSED/.test(message)) return "connection refused";
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return "no route to host";
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return "address does not resolve";
  if (/ETIMEDOUT|Timed out while waiting for handshake/.test(message)) return "no SSH handshake (timed out)";
  if (/authentication methods failed/.test(message)) return "login refused (check the identity file and authorized_keys)";
  return clip(message);
}
