// The host inventory as runners use it: names resolved to SSH targets with pinned keys, and selectors (host, @tag, a,b, all).
import type { Config } from "../config/schema.ts";
import type { DeployMethod, PrivilegeFlag } from "../domain/deploy.ts";
import { parseSelector } from "../domain/names.ts";
import { formatPublicKeyLine, readKnownHostsKey, type SshTarget } from "./ssh/index.ts";

// One host with everything runners need; ssh is absent when the host has no SSH settings.
export interface HostEntry {
  name: string;
  address: string;
  tags: string[];
  ssh?: SshTarget & { sudo: boolean };
  mac?: string;
  wake?: { broadcast: string; port: number; relay?: string; timeoutSeconds: number };
  deploy?: { method: DeployMethod; flakeAttr?: string; flakeUrl?: string; privilegeFlag?: PrivilegeFlag };
}

// Hosts by name.
export type Inventory = ReadonlyMap<string, HostEntry>;

// Builds the inventory; a known_hosts file is read once here so every connection checks the same pinned key.
export async function resolveInventory(hosts: Config["hosts"]): Promise<{ inventory: Inventory; problems: string[] }> {
  const inventory = new Map<string, HostEntry>();
  const problems: string[] = [];
  for (const [name, host] of Object.entries(hosts)) {
    const entry: HostEntry = { name, address: host.address, tags: host.tags };
    if (host.mac) entry.mac = host.mac;
    if (host.wake) entry.wake = { broadcast: host.wake.broadcast, port: host.wake.port, timeoutSeconds: host.wake.timeout_seconds, ...(host.wake.relay ? { relay: host.wake.relay } : {}) };
    if (host.deploy) {
      const d = host.deploy;
      entry.deploy = { method: d.method, ...(d.flake_attr ? { flakeAttr: d.flake_attr } : {}), ...(d.flake_url ? { flakeUrl: d.flake_url } : {}), ...(d.privilege_flag ? { privilegeFlag: d.privilege_flag } : {}) };
      if (d.method === "nixos-rebuild-on-host" && !d.flake_url) problems.push(`hosts.${name}.deploy.flake_url: required for the nixos-rebuild-on-host method`);
    }
    if (host.ssh) {
      let hostKey = host.ssh.host_key ?? "";
      if (!hostKey && host.ssh.known_hosts_file) {
        try {
          hostKey = formatPublicKeyLine(await readKnownHostsKey(host.ssh.known_hosts_file, host.address, host.ssh.port));
        } catch (error) {
          problems.push(`hosts.${name}.ssh.known_hosts_file: ${(error as Error).message}`);
        }
      }
      entry.ssh = { name, address: host.address, port: host.ssh.port, user: host.ssh.user, identityFile: host.ssh.identity_file ?? "", hostKey, sudo: host.ssh.sudo };
    }
    inventory.set(name, entry);
  }
  for (const entry of inventory.values()) {
    if (entry.wake?.relay && !inventory.get(entry.wake.relay)?.ssh) problems.push(`hosts.${entry.name}.wake.relay: ${entry.wake.relay} is not a host with ssh settings`);
  }
  return { inventory, problems };
}

// Turns what a user typed (misato, @k3s, a,b or all) into host names; anything that is not a well-formed
// selector, a known name or a tag is refused.
export function selectHosts(inventory: Inventory, selector: string): { hosts: string[] } | { problem: string } {
  const selection = parseSelector(selector);
  if ("problem" in selection) return selection;
  if (selection.kind === "all") return { hosts: [...inventory.keys()] };
  if (selection.kind === "tag") {
    const hosts = [...inventory.values()].filter((h) => h.tags.includes(selection.tag)).map((h) => h.name);
    return hosts.length > 0 ? { hosts } : { problem: `no host has the tag ${selector}` };
  }
  const names = selection.names;
  const unknown = names.filter((n) => !inventory.has(n));
  if (unknown.length > 0) {
    return { problem: `unknown host${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: use a name from !hosts, a @tag, or all` };
  }
  return { hosts: [...new Set(names)] };
}
