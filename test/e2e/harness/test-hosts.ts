// Config entries for real sshd test hosts, pinned to the keys the harness generated.
import type { TestSshd } from "./sshd.ts";
import type { TestUser } from "./matrix-user.ts";
import { waitUntil } from "../../wait-until.ts";

// The hosts section entry magi's config gets for a test sshd.
export function hostConfigFor(sshd: TestSshd, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    address: sshd.address,
    ssh: { port: sshd.port, user: sshd.user, identity_file: sshd.clientKeyPath, host_key: sshd.hostKeyLine },
    ...extra,
  };
}

// The newest edit of an event as a user sees it (m.replace), or the event itself.
export function latestBody(events: { event_id: string; content: Record<string, any> }[], eventId: string): string | undefined {
  const edits = events.filter((e) => e.content["m.relates_to"]?.rel_type === "m.replace" && e.content["m.relates_to"]?.event_id === eventId);
  const last = edits.at(-1);
  if (last) return last.content["m.new_content"]?.body as string;
  return events.find((e) => e.event_id === eventId)?.content.body as string | undefined;
}

// Waits until the newest version of an event (its latest edit) matches pattern, as a user watching the room would; returns that body.
export async function waitForBody(user: TestUser, roomId: string, eventId: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let last = "";
  const matches = async () => pattern.test((last = latestBody(await user.timeline(roomId, 300), eventId) ?? ""));
  await waitUntil(`message ${eventId} to match ${pattern}`, matches, { timeoutMs, intervalMs: 200, describe: () => JSON.stringify(last) });
  return last;
}
