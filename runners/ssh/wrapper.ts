import { buildRemoteCommand, quotePosix } from "./quote.ts";

// What the wrapper does when its stdin (our channel) reaches EOF without a kill request.
export type DisconnectPolicy = "kill" | "detach";

// Runs "$@" in its own session and kills that whole process group on request.
// Why not ssh's `signal` channel request: OpenSSH refuses it for root logins ("session
// signalling requires privilege separation"), and ssh2 drops it once stdin has ended.
// Why not a pty: it merges stderr into stdout and makes nix print progress bars.
// Protocol on stdin: a line "TERM" or "KILL" signals the group; EOF means the channel or
// the connection is gone, and $1 says whether the command should die with it.
// The command gets /dev/null as stdin; fd 3 keeps the real stdin for the watcher, since an
// asynchronous list in a non-interactive shell has its stdin replaced by /dev/null.
const SCRIPT = [
  'm=$1; shift; exec 3<&0',
  '( command -v setsid >/dev/null 2>&1 && exec setsid "$@"; exec "$@" ) </dev/null 3<&- &',
  "p=$!",
  '{ while read -r s <&3; do kill -s "$s" -- "-$p" 2>/dev/null || kill -s "$s" "$p" 2>/dev/null; done;',
  '  [ "$m" = kill ] && kill -s TERM -- "-$p" 2>/dev/null; } &',
  "w=$!",
  'wait "$p"; st=$?',
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
