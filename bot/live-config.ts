// The parts of the config a reload swaps, built into what their readers use, and views that read them through the
// holder at the moment of each call.
import { createLevelResolver } from "../commands/core/access.ts";
import { checkRuleCommands, createPolicyLookup, defaultPolicies, type PolicyLookup } from "../commands/core/policies.ts";
import { COMMANDS } from "../commands/registry.ts";
import type { Config } from "../config/schema.ts";
import type { Level } from "../domain/levels.ts";
import { resolveInventory, type HostEntry, type Inventory } from "../runners/inventory.ts";
import type { ConfigHolder } from "./config-holder.ts";
import type { RoomDirectory } from "./room-directory.ts";
import { checkScheduleHosts } from "./run-schedules.ts";

// One version of the reloadable config and what was built from it.
export interface LiveConfig {
  config: Config;
  inventory: Inventory;
  resolveLevel(userId: string): Level;
  rooms: RoomDirectory;
  policyFor: PolicyLookup;
}

// Resolves the inventory and checks what the schema cannot (host keys readable, rules naming real commands, schedules
// naming real hosts): the same checks at start and on a reload.
export async function resolveCheckedInventory(config: Config): Promise<{ inventory: Inventory } | { problems: string[] }> {
  const { inventory, problems } = await resolveInventory(config.hosts);
  problems.push(...checkRuleCommands(config.approvals, COMMANDS), ...checkScheduleHosts(config.schedules, inventory));
  return problems.length > 0 ? { problems } : { inventory };
}

// Builds one version from a checked config, its inventory and its resolved rooms.
export function assembleLiveConfig(config: Config, inventory: Inventory, rooms: RoomDirectory): LiveConfig {
  return {
    config, inventory, rooms,
    resolveLevel: createLevelResolver(config.access),
    policyFor: createPolicyLookup(config.approvals, (host) => inventory.get(host)?.tags, defaultPolicies(config.jobs.confirm_minutes * 60_000)),
  };
}

// The inventory as it is now, for readers created once at start (commands' contexts, runners).
class InventoryView implements ReadonlyMap<string, HostEntry> {
  constructor(private readonly holder: ConfigHolder<LiveConfig>) {}
  private get now(): Inventory {
    return this.holder.current().inventory;
  }
  get size(): number {
    return this.now.size;
  }
  get(name: string): HostEntry | undefined {
    return this.now.get(name);
  }
  has(name: string): boolean {
    return this.now.has(name);
  }
  forEach(fn: (value: HostEntry, key: string, map: ReadonlyMap<string, HostEntry>) => void): void {
    this.now.forEach(fn);
  }
  keys(): MapIterator<string> {
    return this.now.keys();
  }
  values(): MapIterator<HostEntry> {
    return this.now.values();
  }
  entries(): MapIterator<[string, HostEntry]> {
    return this.now.entries();
  }
  [Symbol.iterator](): MapIterator<[string, HostEntry]> {
    return this.now[Symbol.iterator]();
  }
}

// Views over the holder: each call reads the version current at that moment.
export function viewLiveConfig(holder: ConfigHolder<LiveConfig>) {
  const rooms: RoomDirectory = { policyFor: (roomId) => holder.current().rooms.policyFor(roomId), roomIds: () => holder.current().rooms.roomIds() };
  return {
    inventory: new InventoryView(holder) as Inventory,
    rooms,
    resolveLevel: (userId: string) => holder.current().resolveLevel(userId),
    policyFor: ((command, hosts) => holder.current().policyFor(command, hosts)) as PolicyLookup,
  };
}
