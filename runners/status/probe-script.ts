// The one remote command that runs every built-in probe in a single SSH session.
// Why one session, and why so few processes: every exec costs a small host about a millisecond,
// and a fleet status (or a health check every minute) pays it per host per run. This script
// execs only the probes themselves, one watchdog sleep and one rm; the runner's wrapper, a
// timeout(1) per probe and mktemp, which an earlier version used, cost more than the probes.
import { quotePosix } from "../ssh/index.ts";
import { PROBE_NAMES, PROBES, type ProbeName } from "./probes.ts";

// Starts every marker line. Random-looking so no tool prints it by accident; the per-run nonce after
// it (the kernel's random uuid on the host) means probe output cannot forge a marker of this run.
export const PROBE_MARK = "@@magi-probe-4f9d2c7a61e8";

// The script's $0, which names it in the host's process list.
const SCRIPT_NAME = "magi-probe";

// Cancelling: the script speaks the runner's control protocol itself (ExecOptions.handlesControl),
// so no wrapper is needed. A watcher reads "TERM"/"KILL" lines from stdin (kept on fd 3, since a
// background job's stdin is /dev/null) and signals the whole process group, which sshd made for
// this session; EOF (magi gone) sends TERM too. On TERM the script removes its files and KILLs the
// group, so a probe that ignores TERM cannot outlive it; these are read-only probes, nothing to
// finish. A hung probe is therefore stopped by magi's own deadline.
// The watchdog covers the one case the watcher cannot: magi unreachable without the connection
// closing (a partition); after $1 seconds it TERMs the group, so nothing lingers on the host.
// Output: each probe writes into its own pair of files and sends "name exit" down a pipe; one
// reader prints whole sections in finishing order, so sections never interleave and finished ones
// arrive while another still hangs. Section: "out" marker, stdout, "err" marker, stderr, "exit"
// marker; c() ends every line with a newline so each marker starts a line and copies with builtins.
// The files are created up front, mode 0600, under the random nonce with noclobber (O_EXCL), so a
// file planted in /tmp makes the script stop instead of being read or written through. (true, not
// the special builtin ":", whose failed redirection would end the shell without the message.)
const HEAD = String.raw`K=${PROBE_MARK}
id=$$
{ read -r id </proc/sys/kernel/random/uuid; } 2>/dev/null
exec 3<&0 </dev/null
{ trap '' TERM; while read -r s <&3; do case $s in TERM|KILL) kill -s "$s" 0;; esac; done; kill -s TERM 0; } >/dev/null 2>&1 &
w=$!
{ trap 'kill "$z"; exit' TERM; sleep "$1" & z=$!; wait "$z" && kill -s TERM 0; } >/dev/null 2>&1 3<&- &
g=$!
exec 3<&-
f=$${"{"}TMPDIR:-/tmp}/magi-probe.$id
trap 'kill -s KILL "$w"; kill "$g"; rm -f "$f".*' EXIT
trap 'trap - EXIT; rm -f "$f".*; kill -s KILL 0' HUP INT TERM
umask 077
set -C
for n in ${PROBE_NAMES.join(" ")}; do
  { true >"$f.$n.out" && true >"$f.$n.err"; } 2>/dev/null || { echo "magi-probe: cannot create $f.$n.out" >&2; exit 70; }
done
set +C
printf '%s %s start\n' "$K" "$id"
p() { n=$1; shift; "$@" >"$f.$n.out" 2>"$f.$n.err"; echo "$n $?"; }
c() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done <"$1"; }
s() {
  printf '%s %s out %s\n' "$K" "$id" "$1"; c "$f.$1.out"
  printf '%s %s err %s\n' "$K" "$id" "$1"; c "$f.$1.err"
  printf '%s %s exit %s %s\n' "$K" "$id" "$1" "$2"
}`;

// Probes the shell answers with builtins instead of an exec: /proc files are read with read. They
// cannot hang, so they run first and in the foreground, which also saves them a fork.
const BUILTIN: Partial<Record<ProbeName, string>> = {
  proc: String.raw`{ read -r a </proc/uptime && read -r b </proc/loadavg && printf '%s\n%s\n' "$a" "$b"; }`,
};

// Built once from the constant PROBES, so the script text never varies between hosts or calls.
const JOBS = [
  ...PROBE_NAMES.flatMap((name) => (BUILTIN[name] ? [`p ${name} eval ${quotePosix(BUILTIN[name])};`] : [])),
  ...PROBE_NAMES.flatMap((name) => (BUILTIN[name] ? [] : [`p ${name} ${PROBES[name].map(quotePosix).join(" ")} &`])),
];

// The whole script; exported for tests that run it under a local sh.
export const PROBE_SCRIPT = `${HEAD}\n{ ${JOBS.join(" ")} wait; } | while read -r n c; do s "$n" "$c"; done\n`;

// How long the host-side watchdog waits: past magi's deadline and its kill grace, so it only ever
// fires when magi could not stop the probes itself.
export function chooseWatchdogSeconds(timeoutMs: number): string {
  return String(Math.ceil(timeoutMs / 1000) + 5);
}

// The argv for runCommand: the constant script plus one number, the watchdog in whole seconds.
export function buildProbeArgv(watchdogSeconds: string): string[] {
  // Guards the only argument: it must stay a plain number whatever a caller passes.
  if (!/^[1-9]\d{0,4}$/.test(watchdogSeconds)) throw new Error(`bad probe watchdog ${JSON.stringify(watchdogSeconds)}`);
  return ["sh", "-c", PROBE_SCRIPT, SCRIPT_NAME, watchdogSeconds];
}
