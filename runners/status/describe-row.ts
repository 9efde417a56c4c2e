// The fleet view: one compact row per host, and a one-line tally above the table.
import { formatLoad, formatSeconds, formatUptime } from "./format.ts";
import { listProblems, type UpStatus } from "./problems.ts";
import type { HostStatus } from "./types.ts";

// The fleet table's columns.
export const ROW_COLUMNS = ["host", "state", "up", "load", "nixos", "problems"];

const NONE = "—";

// The nixos cell: version and profile generation, "not NixOS", or "?" when it could not be read.
function describeNixosCell(status: UpStatus): string {
  if (status.nixos.kind === "absent") return status.nixos.note;
  if (status.nixos.kind === "unknown") return "?";
  const generation = status.system.kind === "ok" ? status.system.value.generation : undefined;
  return generation === undefined ? status.nixos.value.version : `${status.nixos.value.version} gen ${generation}`;
}

// The state word a row starts with; also used for the tally.
export function describeState(status: HostStatus): string {
  if (status.reach === "no-ssh") return "no ssh configured";
  if (status.reach === "unreachable") return "unreachable";
  return listProblems(status).length > 0 ? "attention" : "ok";
}

// One host's row, cells in ROW_COLUMNS order.
export function describeRow(status: HostStatus): string[] {
  const state = describeState(status);
  if (status.reach === "no-ssh") return [status.host, state, NONE, NONE, NONE, NONE];
  if (status.reach === "unreachable") return [status.host, state, NONE, NONE, NONE, status.note];
  const uptime = status.uptime.kind === "ok" ? status.uptime.value : undefined;
  const problems = listProblems(status);
  return [
    status.host,
    state,
    uptime ? formatUptime(uptime.uptimeSeconds) : "?",
    uptime ? formatLoad(uptime.load[0]) : "?",
    describeNixosCell(status),
    problems.length > 0 ? problems.join("; ") : NONE,
  ];
}

// "6 hosts in 2.1 s: 1 ok, 2 attention, 2 unreachable, 1 no ssh configured".
export function describeTally(statuses: readonly HostStatus[], elapsedMs: number): string {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(describeState(s), (counts.get(describeState(s)) ?? 0) + 1);
  const order = ["ok", "attention", "unreachable", "no ssh configured"];
  const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
  const noun = statuses.length === 1 ? "host" : "hosts";
  return `${statuses.length} ${noun} in ${formatSeconds(elapsedMs)}: ${parts.join(", ")}`;
}
