// The enrollment port commands use: plan an enrollment (nothing changes), and run an approved one as a job's work.
import type { Inventory } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import { listRecipients, type RecipientsReport } from "./list-recipients.ts";
import { createAgenixMethod } from "./agenix-method.ts";
import { createSopsMethod } from "./sops-method.ts";
import { planEnroll, type EnrollRequest, type PlanOutcome } from "./plan-enroll.ts";
import { runEnroll, type ApprovedEnroll, type EnrollOutcome } from "./run-enroll.ts";
import { verifySecrets, type VerifyOutcome } from "./verify-secrets.ts";
import type { EnrollSettings } from "./settings.ts";
import { parsePublicKeyLine } from "../ssh/host-key.ts";
import type { HostKeyStore, HostPin } from "./types.ts";

// What !enroll may do.
export interface EnrollPort {
  // Why enrollment is off, or undefined when it is configured.
  unavailable?: string;
  plan(host: string, request: EnrollRequest): Promise<PlanOutcome>;
  run(host: string, approved: ApprovedEnroll, io: JobIO): Promise<EnrollOutcome>;
  // Whether every enrollment is followed by a deploy (enroll.deploy), and the paths checked on the host after it.
  deployAfter: boolean;
  verifyPaths: readonly string[];
  // Checks on the host that every verify path exists and is non-empty.
  verify(host: string, io: Pick<JobIO, "signal" | "log">): Promise<VerifyOutcome>;
  // Who can decrypt which secrets file at the branch's head, read from .sops.yaml and the files' metadata.
  listRecipients(): Promise<RecipientsReport | { problem: string }>;
  // Every host's pinned key and where the pin comes from, whether or not enrollment is configured.
  listPins(): HostPin[];
}

// An EnrollPort over the settings (or why there are none), the inventory and magi's pins.
export function createEnrollPort(settings: EnrollSettings | string, inventory: Inventory, store: HostKeyStore, configPins?: ReadonlyMap<string, string>): EnrollPort {
  const pins = configPins ?? (typeof settings === "string" ? new Map<string, string>() : settings.configPins);
  const listPins = () => describePins(inventory, store, pins);
  const entry = (name: string) => {
    const host = inventory.get(name);
    if (!host) throw new Error(`unknown host ${name}`);
    return host;
  };
  if (typeof settings === "string") {
    const off = async () => ({ ok: false as const, problem: settings, summary: settings });
    return { unavailable: settings, plan: off, run: off, deployAfter: false, verifyPaths: [], verify: off, listRecipients: async () => ({ problem: settings }), listPins };
  }
  const method = settings.method === "agenix" ? createAgenixMethod(settings) : createSopsMethod(settings);
  return {
    listPins,
    deployAfter: settings.deploy,
    verifyPaths: settings.verifyPaths,
    verify: (name, io) => verifySecrets(entry(name), settings.verifyPaths, io),
    // agenix headers name ssh-ed25519 keys only by a tag and age1 recipients not at all, so only sops files are read.
    listRecipients: async () => (settings.method === "agenix"
      ? { problem: `!recipients reads sops-nix's .sops.yaml and file metadata; with enroll.method agenix, ${settings.agenix.filesFile} says who may decrypt each file` }
      : listRecipients(settings)),
    plan: (name, request) => planEnroll(settings, method, store, entry(name), request),
    run: (name, approved, io) => {
      const host = entry(name);
      // A config pin wins; otherwise this connection and every later one uses the key just enrolled.
      return runEnroll(settings, method, store, host, approved, io, (keyLine) => {
        if (host.ssh && !settings.configPins.has(name)) host.ssh.hostKey = keyLine;
      });
    },
  };
}

// Gives hosts that config pins no key the key magi pinned when it enrolled them; returns config's own pins.
export function applyStoredPins(inventory: Inventory, store: HostKeyStore): Map<string, string> {
  const configPins = new Map<string, string>();
  for (const host of inventory.values()) if (host.ssh?.hostKey.trim()) configPins.set(host.name, host.ssh.hostKey);
  for (const pin of store.list()) {
    const host = inventory.get(pin.host);
    if (host?.ssh && !configPins.has(pin.host)) host.ssh.hostKey = pin.keyLine;
  }
  return configPins;
}

// The pin each inventory host's connections use: config's when it has one, else magi's; a host with neither is left out.
export function describePins(inventory: Inventory, store: HostKeyStore, configPins: ReadonlyMap<string, string>): HostPin[] {
  const stored = new Map(store.list().map((pin) => [pin.host, pin]));
  return [...inventory.keys()].flatMap((host): HostPin[] => {
    const configured = configPins.get(host);
    if (configured) {
      let fingerprint = "a key line that does not parse";
      try {
        fingerprint = parsePublicKeyLine(configured).fingerprint;
      } catch {
        // Shown as is: every connection to the host fails until config is fixed.
      }
      return [{ host, source: "config", fingerprint }];
    }
    const pin = stored.get(host);
    return pin ? [{ host, source: "magi", fingerprint: pin.fingerprint, pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt }] : [];
  });
}
