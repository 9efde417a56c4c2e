// Argument schemas for commands that act on one host: a name is the only thing a user may type to pick a machine.
import { z } from "zod";
import type { HostEntry, Inventory } from "../../runners/inventory.ts";
import { hostNameToken } from "./args.ts";

// Exactly one host name; addresses, paths, flags and shell text are refused before anything looks them up.
export const oneHostArgs = z
  .array(z.string())
  .length(1, "expected one host name")
  .transform((t) => t[0]!)
  .pipe(hostNameToken);

// Finds a host in the inventory, or says why not.
export function findHost(inventory: Inventory, name: string): HostEntry | string {
  return inventory.get(name) ?? `unknown host ${name}: !hosts lists the hosts magi knows`;
}
