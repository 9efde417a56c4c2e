// One SSH handshake with the pinned key, closed at once: "is this host up?" for wake and power polling.
import { raceAbort } from "./abortable.ts";
import { connectTarget, type ConnectOutcome, type SshTarget } from "./connect.ts";

// Connects once and closes straight away; a connection that lands after a cancel is closed too.
export async function probeSsh(target: SshTarget, timeoutMs: number, signal: AbortSignal): Promise<ConnectOutcome | "cancelled"> {
  if (signal.aborted) return "cancelled";
  const first = await raceAbort(connectTarget(target, { readyTimeoutMs: Math.max(timeoutMs, 200) }), signal, (c) => c.ok && c.connection.close());
  if (first === "aborted") return "cancelled";
  if (first.ok) first.connection.close();
  return first;
}
