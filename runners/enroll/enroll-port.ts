// The enrollment port commands use: plan an enrollment (nothing changes), and run an approved one as a job's work.
import type { Inventory } from "../inventory.ts";
import type { JobIO, JobOutcome } from "../jobs/types.ts";
import { planEnroll, type EnrollRequest, type PlanOutcome } from "./plan-enroll.ts";
import { runEnroll, type ApprovedEnroll } from "./run-enroll.ts";
import type { EnrollSettings } from "./settings.ts";
import type { HostKeyStore } from "./types.ts";

// What !enroll may do.
export interface EnrollPort {
  // Why enrollment is off, or undefined when it is configured.
  unavailable?: string;
  plan(host: string, request: EnrollRequest): Promise<PlanOutcome>;
  run(host: string, approved: ApprovedEnroll, io: JobIO): Promise<JobOutcome>;
}

// An EnrollPort over the settings (or why there are none), the inventory and magi's pins.
export function createEnrollPort(settings: EnrollSettings | string, inventory: Inventory, store: HostKeyStore): EnrollPort {
  const entry = (name: string) => {
    const host = inventory.get(name);
    if (!host) throw new Error(`unknown host ${name}`);
    return host;
  };
  if (typeof settings === "string") {
    const off = async () => ({ ok: false as const, problem: settings, summary: settings });
    return { unavailable: settings, plan: off, run: off };
  }
  return {
    plan: (name, request) => planEnroll(settings, store, entry(name), request),
    run: (name, approved, io) => {
      const host = entry(name);
      // A config pin wins; otherwise this connection and every later one uses the key just enrolled.
      return runEnroll(settings, store, host, approved, io, (keyLine) => {
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
