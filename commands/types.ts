// The shapes shared by every command: declarations, the context they run in, and what they return.
import type { z } from "zod";
import type { Level } from "./levels.ts";

// Who sent a command, as magi sees them in this room.
export interface Caller {
  userId: string;
  level: Level;
}

// A piece of a reply, rendered to HTML and plain text by the bot.
export type Block =
  | { kind: "text"; text: string }
  | { kind: "table"; columns: string[]; rows: string[][] }
  | { kind: "list"; items: string[] }
  | { kind: "code"; text: string };

// What a command returns: whether it did what was asked, and what to tell the user.
export interface Output {
  ok: boolean;
  blocks: Block[];
}

// A host as the inventory shows it to commands.
export interface HostSummary {
  name: string;
  address: string;
  tags: string[];
}

// An audit row as commands see it.
export interface AuditEntry {
  at: number;
  sender: string;
  text: string;
  level: number;
  decision: string;
  outcome: string | null;
}

// The narrow set of things a command may use; nothing here knows Matrix or SQL.
export interface CommandContext {
  caller: Caller;
  prefix: string;
  commands: readonly CommandSpec[];
  hosts: readonly HostSummary[];
  audit: { recent(limit: number): AuditEntry[] };
  now(): number;
}

// One command's declaration: its name, who may run it, how its arguments parse, and what it does.
export interface CommandSpec<A = unknown> {
  name: string;
  aliases: string[];
  summary: string;
  usage: string;
  minLevel: Level;
  args: z.ZodType<A, string[]>;
  run(ctx: CommandContext, args: A): Output | Promise<Output>;
}

// A successful reply made of blocks.
export function ok(...blocks: Block[]): Output {
  return { ok: true, blocks };
}

// A failed reply: the expected-failure path, with a message for the user.
export function fail(text: string, ...blocks: Block[]): Output {
  return { ok: false, blocks: [{ kind: "text", text }, ...blocks] };
}

// A text block.
export function text(value: string): Block {
  return { kind: "text", text: value };
}

// Declares a command; the argument type is checked here and erased so the registry can hold every command in one list.
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec {
  return spec as unknown as CommandSpec;
}
