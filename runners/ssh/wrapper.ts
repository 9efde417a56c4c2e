import { parseProcStat } from "../proc/parse-proc-stat.ts";
import { buildRemoteCommand, quotePosix } from "./quote.ts";

// What the wrapper does when its stdin (our channel) reaches EOF without a kill request.
export type DisconnectPolicy = "kill" | "detach";

// Starts the first stderr line of a detached command: who runs it, so a restarted magi can find it.
export const START_MARK = "@@magi-started";

// Runs "$@" in its own session and kills that whole process group on request.
// Why not ssh's `signal` channel request: OpenSSH refuses it for root logins ("session
// signalling requires privilege separation"), and ssh2 drops it once stdin has ended.
// Why not a pty: it merges stderr into stdout and makes nix print progress bars.
// Protocol on stdin: a line "TERM" or "KILL" signals the group; EOF means the channel or
// the connection is gone, and $1 says whether the command should die with it.
// The command gets /dev/null as stdin; fd 3 keeps the real stdin for the watcher, since an
// asynchronous list in a non-interactive shell has its stdin replaced by /dev/null.
// A detached command outlives magi, so before it starts its own process prints START_MARK, the
// boot id, a private status directory and its /proc/self/stat line (the redirection is opened by
// that very subshell, whose pid and start time the command keeps through exec). When the channel
// is gone by the time the command ends ("gone" flag from the watcher), the exit status is left in
// that directory for the next magi; otherwise magi got it over the channel and the directory goes.
// SIGPIPE is ignored (inherited through exec): once sshd closes the pipes, a write must fail, not
// kill nixos-rebuild halfway through a switch.
const SCRIPT = [
  "m=$1; shift; exec 3<&0; trap '' PIPE; d=",
  '[ "$m" = detach ] && d=$(mktemp -d "${TMPDIR:-/tmp}/magi-XXXXXXXXXX" 2>/dev/null)',
  `( if [ "$m" = detach ]; then read -r b </proc/sys/kernel/random/boot_id; read -r s </proc/self/stat; printf '${START_MARK}\\t%s\\t%s\\t%s\\n' "$b" "\${d:--}" "$s" >&2; fi`,
  '  command -v setsid >/dev/null 2>&1 && exec setsid "$@"; exec "$@" ) </dev/null 3<&- &',
  "p=$!",
  '{ while read -r s <&3; do kill -s "$s" -- "-$p" 2>/dev/null || kill -s "$s" "$p" 2>/dev/null; done;',
  '  [ -n "$d" ] && : >"$d/gone"; [ "$m" = kill ] && kill -s TERM -- "-$p" 2>/dev/null; } &',
  "w=$!",
  'wait "$p"; st=$?',
  'if [ -n "$d" ]; then if [ -e "$d/gone" ]; then echo "$st" >"$d/status"; else rmdir -- "$d" 2>/dev/null; fi; fi',
  'kill "$w" 2>/dev/null',
  'exit "$st"',
].join("\n");

// Builds the remote line: `sh -c <wrapper> magi-run <policy> [sudo -n --] <argv…>`, all quoted.
export function buildWrappedCommand(
  argv: readonly string[],
  opts: { sudo?: boolean; onDisconnect?: DisconnectPolicy } = {},
): string {
  // Reuse the plain builder so sudo placement and quoting rules live in one place.
  const inner = buildRemoteCommand(argv, opts.sudo);
  return `sh -c ${quotePosix(SCRIPT)} magi-run ${opts.onDisconnect ?? "detach"} ${inner}`;
}

// A detached remote command as its start line names it; statusDir is null when mktemp failed.
export interface RemoteStart {
  bootId: string;
  pid: number;
  // The command leads its own group (setsid), so the group id is its pid.
  pgid: number;
  startTicks: number;
  statusDir: string | null;
}

// mktemp's directory, checked before magi ever passes it back to a shell (it may come from a hostile host).
const STATUS_DIR = /^\/[A-Za-z0-9._/-]*\/magi-[A-Za-z0-9]{10}$/;

// Reads a START_MARK line; undefined for any other line or a malformed one.
export function readStartLine(line: string): RemoteStart | undefined {
  if (!line.startsWith(`${START_MARK}\t`)) return undefined;
  const [, bootId = "", dir = "", ...stat] = line.split("\t");
  const parsed = parseProcStat(stat.join("\t"));
  if (!parsed || !/^[0-9a-f-]{36}$/.test(bootId)) return undefined;
  const statusDir = STATUS_DIR.test(dir) && !dir.includes("/../") ? dir : null;
  return { bootId, pid: parsed.pid, pgid: parsed.pid, startTicks: parsed.startTicks, statusDir };
}

// Removes the start line from a detached command's stderr text (it is always the first line).
export function stripStartLine(stderr: string): string {
  if (!stderr.startsWith(`${START_MARK}\t`)) return stderr;
  const end = stderr.indexOf("\n");
  return end < 0 ? "" : stderr.slice(end + 1);
}
