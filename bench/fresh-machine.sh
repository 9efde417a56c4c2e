#!/usr/bin/env bash
# Times the README's run command as a newcomer meets it: a fresh clone, an empty HOME (no npm cache,
# no Synapse venv, nothing under ~/.cache), then `npm ci && npm start`, up to "ready" and to the
# first answer to `!ping` typed into `npm run chat`. Needs what the README says a fresh machine needs
# (Node 20, python3-venv, g++/make, openssh-server) and the registries; leaves nothing behind.
# Last line, parseable: fresh-machine: npm_ci_s=N ready_s=N first_answer_s=N goal_s=180
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill -INT "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home"
mkdir -p "$HOME"
unset MAGI_SYNAPSE_VENV MAGI_CONFIG MAGI_SANDBOX_DIR npm_config_nodedir
git clone -q "$src" "$work/magi"
cd "$work/magi"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

start="$(date +%s.%N)"
npm ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1 || { tail -40 "$work/npm-ci.log"; echo "npm ci failed" >&2; exit 1; }
npm_ci_s="$(elapsed "$start")"
echo "npm ci: ${npm_ci_s} s"

: >"$work/start.log"
npm start >>"$work/start.log" 2>&1 &
sandbox_pid=$!
until grep -q "ready\." "$work/start.log"; do
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/start.log"; echo "npm start exited before it was ready" >&2; exit 1; }
  sleep 0.5
done
ready_s="$(elapsed "$start")"
echo "sandbox ready: ${ready_s} s"

# The chat keeps its stdin (a FIFO) open until the answer shows, as a person at the keyboard would.
mkfifo "$work/chat-in"
npm run chat <"$work/chat-in" >"$work/chat.log" 2>&1 &
chat_pid=$!
exec 3>"$work/chat-in"
echo '!ping' >&3
for _ in $(seq 1 240); do grep -qi "pong" "$work/chat.log" && break; sleep 0.25; done
grep -qi "pong" "$work/chat.log" || { cat "$work/chat.log"; echo "no answer to !ping within 60 s" >&2; exit 1; }
first_answer_s="$(elapsed "$start")"
echo "first answer to !ping: ${first_answer_s} s"
exec 3>&-
wait "$chat_pid" 2>/dev/null || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fresh-machine: npm_ci_s=${npm_ci_s} ready_s=${ready_s} first_answer_s=${first_answer_s} goal_s=180"
