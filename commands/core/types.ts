// The shapes shared by every command: declarations, the context they run in, and what they return.
import type { z } from "zod";
import type { Level } from "../../domain/levels.ts";
import type { ApprovalPolicy } from "./approval-policy.ts";
import type { Inventory } from "../../runners/inventory.ts";
import type { HostActions } from "../../runners/host-actions.ts";
import type { JobsPort } from "../../runners/jobs/types.ts";
import type { StatusPort } from "../../runners/status/types.ts";
import type { DeployPort } from "../../runners/deploy-actions.ts";
import type { EnrollPort } from "../../runners/enroll/enroll-port.ts";
import type { LockPort } from "./lock-port.ts";
import type { AlertsPort } from "./alerts-port.ts";
import type { ChecksPort } from "./checks-port.ts";
import type { SilencesPort } from "./silences-port.ts";

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
  // The job this reply announces: the reply becomes the job's live progress message.
  job?: number;
  // Several jobs (a multi-host deploy): each gets its own live message, and a summary follows when all have ended.
  jobs?: { id: number; blocks: Block[] }[];
  // A file to upload after the reply (e.g. a job's full log).
  file?: { name: string; mimetype: string; data: Buffer };
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
  roomId: string;
  prefix: string;
  commands: readonly CommandSpec[];
  audit: { recent(limit: number): AuditEntry[] };
  inventory: Inventory;
  jobs: JobsPort;
  actions: HostActions;
  // The caller's pending approval requests: !cancel without a job id calls off the newest one.
  approvals: { cancelOwn(roomId: string, requester: string): Promise<{ ok: true; work: string } | { ok: false; message: string }> };
  // Deploys from the team's flake: resolve refs, run deploys and rollbacks, list generations.
  deploys: DeployPort;
  // Enrolls hosts' SSH keys as sops recipients (!enroll).
  enroll: EnrollPort;
  // Host health for !status, collected over SSH within the status timeout.
  status: StatusPort;
  // Sticky host locks people take so nobody deploys over their work.
  locks: LockPort;
  // Alert groups firing now (from Alertmanager), for !alerts.
  alerts: AlertsPort;
  // Dead-man's-switch checks (backups pinging in), for !checks, !check, !pause and !resume.
  checks: ChecksPort;
  // Alertmanager silences, for !silence, !silences and !unsilence.
  silences: SilencesPort;
  // The event the command replies to (or the root of its thread): !silence acts on the alert message it answers.
  replyTo?: string;
  // Shows how slow work before the answer is going (a deploy's preview build): the first call posts a reply, later ones edit it.
  progress?(blocks: Block[]): void;
  // The approval policy for a command on these hosts, if it needs one.
  policyFor(command: string, hosts: string[]): ApprovalPolicy | undefined;
  // Set when this run was approved: who approved, and what the approval was bound to (e.g. the exact sha).
  approved?: { by: string[]; binding: Record<string, string> };
  // What this run is bound to, set by the dispatcher: the approval's binding, or the one the approval
  // check prepared when no approval turned out to be needed (so a deploy resolves its ref once).
  binding?: Record<string, string>;
  now(): number;
}

// What every command gets: who asks, where, with which prefix, and the clock. The rest it names in `uses`.
export const BASE_CONTEXT_KEYS = ["caller", "roomId", "prefix", "now"] as const;
export type BaseContext = Pick<CommandContext, (typeof BASE_CONTEXT_KEYS)[number]>;
// The context a command that uses these ports runs with: a unit test builds only these.
export type ContextOf<U extends keyof CommandContext> = BaseContext & Pick<CommandContext, U>;

// One command's declaration: its name, who may run it, how its arguments parse, and what it does.
export interface CommandSpec<A = unknown, U extends keyof CommandContext = keyof CommandContext> {
  name: string;
  aliases: string[];
  summary: string;
  usage: string;
  minLevel: Level;
  args: z.ZodType<A, string[]>;
  // A higher level for some arguments (e.g. a real deploy vs a dry run); checked by the dispatcher.
  levelFor?(args: A): Level;
  // The parts of the context beyond the base this command reads; the dispatcher hands it nothing else.
  uses: readonly U[];
  // Work that may need approval: names what will run, on which hosts, bound to what (or says why it can't run, in words or blocks).
  approval?(ctx: ContextOf<U>, args: A): ApprovalNeed | string | Output | null | Promise<ApprovalNeed | string | Output | null>;
  run(ctx: ContextOf<U>, args: A): Output | Promise<Output>;
}

// What an approval would be for: the words in the prompt, the hosts (for the policy), and the values the run must use.
export interface ApprovalNeed {
  work: string;
  hosts: string[];
  binding?: Record<string, string>;
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
export function defineCommand<A, U extends keyof CommandContext = keyof CommandContext>(spec: CommandSpec<A, U>): CommandSpec {
  return spec as unknown as CommandSpec;
}

// The part of a context a command declared it uses.
export function narrowContext(ctx: CommandContext, spec: CommandSpec): CommandContext {
  const narrow: Partial<Record<keyof CommandContext, unknown>> = {};
  for (const key of [...BASE_CONTEXT_KEYS, ...spec.uses]) if (ctx[key] !== undefined) narrow[key] = ctx[key];
  return narrow as CommandContext;
}
