// The one remote command that runs every built-in probe in a single SSH session.
// Why one session: each SSH session costs the host several ms of CPU (sshd, login shell, the runner's
// wrapper), so six per host made a 30-host !status CPU-bound on small machines.
import { quotePosix } from "../ssh/index.ts";
import { PROBE_NAMES, PROBES } from "./probes.ts";

// Starts every marker line. Random-looking so no tool prints it by accident; the per-run nonce after
// it (the kernel's random uuid on the host) means probe output cannot forge a marker of this run.
export const PROBE_MARK = "@@magi-probe-4f9d2c7a61e8";

// The script's $0, which names it in the host's process list.
const SCRIPT_NAME = "magi-probe";

// Each probe runs in the background into its own temp files, so the host's time is the slowest probe,
// not the sum. A finished probe sends "name exit" down a pipe; one reader prints whole sections in
// finishing order, so sections never interleave and finished ones arrive while another still hangs.
// Section: "out" marker, stdout, "err" marker, stderr, "exit" marker; c() ends every line with a
// newline so each marker starts a line. c() is a builtin copy, not cat: on a small host each exec
// costs about 1 ms, and twelve per run add up across a fleet.
// timeout --foreground stays in the runner's process group, so cancelling the session still kills
// every probe; -k 1 follows a TERM the probe ignores with a KILL. The check runs it with limit 0 (no
// limit) so a busy host cannot fail it; a timeout without these options (busybox) counts as missing.
// Without one the probes run unbounded, the start line says "none", and magi's deadline still holds.
const HEAD = String.raw`K=${PROBE_MARK}
id=$$
{ read -r id </proc/sys/kernel/random/uuid; } 2>/dev/null
t=none
if [ -n "$1" ] && command -v timeout >/dev/null 2>&1 && timeout --foreground -k 1 0 true 2>/dev/null; then t=$1; fi
d=$(mktemp -d) || { echo "magi-probe: mktemp -d failed" >&2; exit 70; }
trap 'rm -rf "$d"' EXIT
trap 'exit 143' HUP INT TERM
printf '%s %s start %s\n' "$K" "$id" "$t"
p() {
  n=$1; shift
  if [ "$t" != none ]; then timeout --foreground -k 1 "$t" "$@"; else "$@"; fi </dev/null >"$d/$n.out" 2>"$d/$n.err"
  echo "$n $?"
}
c() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
s() {
  printf '%s %s out %s\n' "$K" "$id" "$1"; c "$d/$1.out"
  printf '%s %s err %s\n' "$K" "$id" "$1"; c "$d/$1.err"
  printf '%s %s exit %s %s\n' "$K" "$id" "$1" "$2"
}`;

// Built once from the constant PROBES, so the script text never varies between hosts or calls.
const JOBS = PROBE_NAMES.map((name) => `p ${name} ${PROBES[name].map(quotePosix).join(" ")} &`);

// The whole script; exported for tests that run it under a local sh.
export const PROBE_SCRIPT = `${HEAD}\n{ ${JOBS.join(" ")} wait; } | while read -r n c; do s "$n" "$c"; done\n`;

// Each probe's own limit: a fifth of the status deadline is left for its section to reach magi.
export function chooseProbeLimit(timeoutMs: number): string {
  return Math.max(0.5, Math.floor((timeoutMs * 0.8) / 100) / 10).toFixed(1);
}

// The argv for runCommand: the constant script plus one number, the per-probe limit in seconds.
export function buildProbeArgv(limitSeconds: string): string[] {
  // Guards the only argument: it must stay a plain number whatever a caller passes.
  if (!/^\d{1,4}(\.\d)?$/.test(limitSeconds)) throw new Error(`bad probe limit ${JSON.stringify(limitSeconds)}`);
  return ["sh", "-c", PROBE_SCRIPT, SCRIPT_NAME, limitSeconds];
}
