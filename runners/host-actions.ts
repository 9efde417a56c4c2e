// The host actions commands may start as jobs, bound to the inventory.
import type { PowerAction } from "../domain/power.ts";
import type { JobIO, JobOutcome } from "./jobs/types.ts";
import type { Inventory } from "./inventory.ts";
import { powerHost, type PowerOptions } from "./power/power-host.ts";
import { wakeHost } from "./wol/wake-host.ts";

// Host actions that run as jobs; each returns how it ended.
export interface HostActions {
  wake(host: string, io: JobIO): Promise<JobOutcome>;
  power(host: string, action: PowerAction, io: JobIO): Promise<JobOutcome>;
}

// HostActions over the real runners (SSH, UDP).
export function createHostActions(inventory: Inventory, power: PowerOptions = {}): HostActions {
  const entry = (name: string) => {
    const host = inventory.get(name);
    if (!host) throw new Error(`unknown host ${name}`);
    return host;
  };
  return {
    wake: (name, io) => wakeHost(entry(name), inventory, io),
    power: (name, action, io) => powerHost(entry(name), action, io, power),
  };
}
