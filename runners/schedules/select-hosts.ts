// The hosts a schedule probes: its names, @tags and "all", resolved against the inventory, in inventory order.
import { ALL_HOSTS } from "../../domain/names.ts";
import { selectHosts, type HostEntry, type Inventory } from "../inventory.ts";

// The schedule's hosts that magi can reach over SSH, and a problem for each one it names by name but cannot probe.
export function selectScheduleHosts(inventory: Inventory, matchers: readonly string[], path: string): { hosts: HostEntry[]; problems: string[] } {
  const chosen = new Set<string>();
  const problems: string[] = [];
  for (const matcher of matchers) {
    const selection = selectHosts(inventory, matcher);
    if ("problem" in selection) problems.push(`${path}: ${selection.problem}`);
    else selection.hosts.forEach((h) => chosen.add(h));
  }
  const hosts = [...inventory.values()].filter((h) => chosen.has(h.name) && h.ssh);
  // A tag or "all" may take in hosts without SSH (a VPS watched otherwise); a host named on its own is a mistake.
  const named = matchers.filter((m) => m !== ALL_HOSTS && inventory.has(m) && !inventory.get(m)!.ssh);
  problems.push(...named.map((m) => `${path}: ${m} has no ssh settings, so a schedule cannot check it`));
  return { hosts, problems };
}
