// The approved enrollment as one job: the host must still present the approved key; then the repository side
// (retried once if someone pushed meanwhile); then the key is pinned. A failure before the push changes nothing.
import type { HostEntry } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import { parsePublicKeyLine } from "../ssh/host-key.ts";
import { tryEnrollCommit, type TryOutcome } from "./commit-enrollment.ts";
import { checkPins, recipientOf } from "./plan-enroll.ts";
import { scanHostKey } from "./scan-host-key.ts";
import type { EnrollMethod } from "./method.ts";
import type { EnrollSettings } from "./settings.ts";
import type { HostKeyStore } from "./types.ts";

// The approved request: the exact key line, and who asked and approved.
export interface ApprovedEnroll {
  keyLine: string;
  replace: boolean;
  requester: string;
  approvers: string[];
}

const NOTHING = "Nothing was changed.";

// An enrollment's outcome; sha is the commit the host's secrets are encrypted for at (pushed, or already there).
export type EnrollOutcome = JobOutcome & { sha?: string };

// Runs the enrollment; onPinned lets later SSH connections of the host use the new pin at once.
export async function runEnroll(settings: EnrollSettings, method: EnrollMethod, store: HostKeyStore, host: HostEntry, approved: ApprovedEnroll, io: JobIO, onPinned: (keyLine: string) => void): Promise<EnrollOutcome> {
  const failed = (summary: string): JobOutcome => ({ ok: false, summary: `${summary} ${NOTHING}`.trim() });
  if (!host.ssh) return failed(`${host.name} has no ssh settings.`);
  const expected = parsePublicKeyLine(approved.keyLine);
  io.phase("checking the host key");
  const scanned = await scanHostKey({ name: host.name, address: host.address, port: host.ssh.port });
  if (!scanned.ok) return failed(`${scanned.problem}.`);
  if (!scanned.key.blob.equals(expected.blob)) {
    return failed(`${host.name} now presents ${scanned.key.fingerprint}, not the approved ${expected.fingerprint}: the approval was for that key only.`);
  }
  io.log(`${host.name} presents the approved key ${expected.fingerprint}`);
  const conflict = checkPins(settings, store, host.name, expected, approved.replace);
  if (conflict) return failed(`${conflict}.`);
  const recipient = recipientOf(expected);
  if (typeof recipient !== "string") return failed(recipient.problem);
  const target = { host, keyLine: approved.keyLine, fingerprint: expected.fingerprint, recipient, replace: approved.replace };
  const work = { target, requester: approved.requester, approvers: approved.approvers };
  let outcome: TryOutcome = await tryEnrollCommit(settings, method, work, io);
  if (outcome.kind === "rejected") {
    io.log(`push rejected (${outcome.problem}); trying once more on the new head`);
    outcome = await tryEnrollCommit(settings, method, work, io);
    if (outcome.kind === "rejected") return failed(`the push was rejected twice (someone keeps pushing to ${settings.branch}): ${outcome.problem}.`);
  }
  if (outcome.kind === "failed") return failed(`${outcome.problem}.`);
  io.phase("pinning the key");
  store.pin({ host: host.name, keyLine: approved.keyLine, fingerprint: expected.fingerprint, pinnedAt: Date.now(), pinnedBy: approved.requester });
  onPinned(approved.keyLine);
  const files = `${outcome.files.length} file${outcome.files.length === 1 ? "" : "s"}`;
  if (outcome.kind === "unchanged") return { ok: true, sha: outcome.sha, summary: `${host.name}'s key ${expected.fingerprint} is pinned; ${recipient} was already in ${method.configName} and its ${files}, so nothing was committed.` };
  return { ok: true, sha: outcome.sha, summary: `enrolled ${host.name}: ${recipient} (${expected.fingerprint}) can now decrypt ${files}; commit ${outcome.sha.slice(0, 12)} pushed to ${settings.remote}/${settings.branch}; key pinned.` };
}
