// Works out what `!enroll` would do, before anyone approves: the key the host presents (checked against a pasted one and
// against pins), its age recipient, and the files the method (sops-nix or agenix) would re-encrypt. Changes nothing.
import { readEd25519Key, toAgeRecipient } from "../../domain/age-recipient.ts";
import { resolveRevision } from "../flake/index.ts";
import type { HostEntry } from "../inventory.ts";
import { formatPublicKeyLine, parsePublicKeyLine, type PinnedKey } from "../ssh/host-key.ts";
import { viewCommit, type EnrollMethod } from "./method.ts";
import { scanHostKey } from "./scan-host-key.ts";
import type { EnrollSettings } from "./settings.ts";
import type { EnrollPlan, HostKeyStore } from "./types.ts";

// What the user asked for.
export interface EnrollRequest {
  pasted?: string;
  replace: boolean;
}

// A plan to approve, a no-op to report, or why not.
export type PlanOutcome = { ok: true; plan: EnrollPlan } | { ok: true; noop: string } | { ok: false; problem: string };

// The host's age recipient from its key, or why the key can't have one.
export function recipientOf(key: PinnedKey): string | { problem: string } {
  const edwards = readEd25519Key(key.blob);
  return typeof edwards === "string" ? { problem: edwards } : toAgeRecipient(edwards);
}

// Reads a pasted key, refusing anything but one ssh-ed25519 public key line.
function readPasted(text: string): PinnedKey | string {
  let key: PinnedKey;
  try {
    key = parsePublicKeyLine(text);
  } catch {
    return "that is not an OpenSSH public key: paste the whole line, like ssh-ed25519 AAAAC3Nz…";
  }
  const edwards = readEd25519Key(key.blob);
  return typeof edwards === "string" ? `enrollment takes the host's ssh-ed25519 key: ${edwards}` : key;
}

// Checks the presented key against config's pin and magi's own; a conflict is refused with what to do.
export function checkPins(settings: EnrollSettings, store: HostKeyStore, host: string, presented: PinnedKey, replace: boolean): string | undefined {
  const configured = settings.configPins.get(host);
  if (configured && parsePublicKeyLine(configured).fingerprint !== presented.fingerprint) {
    return `magi's config pins another key for ${host} (${parsePublicKeyLine(configured).fingerprint}) than the ${presented.fingerprint} it presents; a key pinned in config wins, so change hosts.${host}.ssh there first`;
  }
  const stored = store.get(host);
  if (stored && stored.fingerprint !== presented.fingerprint && !replace) {
    return `${host} presents ${presented.fingerprint}, but magi pinned ${stored.fingerprint} for it. If it was reinstalled, use !enroll ${host} --replace; otherwise this may be a man in the middle`;
  }
  return undefined;
}

// Plans the enrollment of host.
export async function planEnroll(settings: EnrollSettings, method: EnrollMethod, store: HostKeyStore, host: HostEntry, request: EnrollRequest): Promise<PlanOutcome> {
  const refuse = (problem: string) => ({ ok: false as const, problem });
  if (!host.ssh) return refuse(`${host.name} has no ssh settings (hosts.${host.name}.ssh), so magi can't ask it for its key`);
  const unfit = method.checkHost?.(host);
  if (unfit) return refuse(unfit);
  const pasted = request.pasted === undefined ? undefined : readPasted(request.pasted);
  if (typeof pasted === "string") return refuse(pasted);
  const scanned = await scanHostKey({ name: host.name, address: host.address, port: host.ssh.port });
  if (!scanned.ok) return refuse(scanned.problem);
  const presented = scanned.key;
  if (pasted && !pasted.blob.equals(presented.blob)) {
    return refuse(`${host.name} presents ${presented.fingerprint}, not the pasted key (${pasted.fingerprint}). Nothing was changed.`);
  }
  const conflict = checkPins(settings, store, host.name, presented, request.replace);
  if (conflict) return refuse(conflict);
  const recipient = recipientOf(presented);
  if (typeof recipient !== "string") return refuse(recipient.problem);
  const toolProblem = await method.checkTools();
  if (toolProblem) return refuse(toolProblem);
  const rev = await resolveRevision(settings.flakeDir, undefined, { remote: settings.remote, branch: settings.branch });
  if (!rev.ok) return refuse(rev.problem);
  const keyLine = formatPublicKeyLine(presented);
  const inspected = await method.inspect(viewCommit(settings.flakeDir, rev.sha), { host, keyLine, fingerprint: presented.fingerprint, recipient, replace: request.replace });
  if (typeof inspected === "string") return refuse(inspected);
  const { files } = inspected;
  const stored = store.get(host.name);
  const pinned = stored?.fingerprint === presented.fingerprint || settings.configPins.has(host.name);
  if (!inspected.changed && pinned && inspected.lacking.length === 0) {
    return { ok: true, noop: `${host.name} is already enrolled: its key ${presented.fingerprint} is pinned, and ${recipient} is in ${method.configName} and in all ${files.length} of its files. Nothing was changed.` };
  }
  const previous = request.replace ? {
    ...(inspected.previous ? { recipient: inspected.previous } : {}),
    ...(stored && stored.fingerprint !== presented.fingerprint ? { fingerprint: stored.fingerprint } : {}),
  } : undefined;
  return { ok: true, plan: { host: host.name, keyLine, fingerprint: presented.fingerprint, recipient, files, pasted: pasted !== undefined, ...(previous ? { previous } : {}) } };
}
