// Looks up a command declaration by name or alias.
import type { CommandSpec } from "./types.ts";

// Finds a command by name or alias.
export function findCommand(commands: readonly CommandSpec[], name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name || c.aliases.includes(name));
}
