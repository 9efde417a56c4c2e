// Reads the fields magi needs from a /proc/<pid>/stat line (proc(5)).

// What one stat line says about a process.
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  // Field 22: when the process started, in clock ticks since boot.
  startTicks: number;
}

// Parses a stat line; undefined when it is not one. The name (field 2) is in parentheses and may
// itself hold spaces and ") ", so the fields after it are counted from the LAST ')'.
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After the name: field 3 (state) onwards, so field n is rest[n - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const [state, ppid, pgrp] = [rest[0], Number(rest[1]), Number(rest[2])];
  const startTicks = Number(rest[22 - 3]);
  const whole = [pid, ppid, pgrp, startTicks].every((n) => Number.isSafeInteger(n) && n >= 0);
  if (!whole || pid === 0 || !state || !/^[A-Za-z]$/.test(state)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgrp, startTicks };
}
