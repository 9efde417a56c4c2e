# Sourced by every fake NixOS tool here: finds the test host's state dir, logs the call, sleeps in slow mode.
# MAGI_FAKE_DIR   the host's dir: calls.log is appended to, and each fake reads its canned output from there.
#                 With a sessions.log there, each call also records its session id (field 6 of
#                 /proc/PID/stat): sshd starts every SSH session in a session of its own (and the
#                 runner's wrapper setsids each wrapped command), so tools run by one SSH session share an id.
# MAGI_FAKE_DELAY seconds each fake waits before answering, like a busy host (the fan-out benchmark);
#                 a file named delay in the host's dir overrides it, so a running host can change pace.
fake_dir=${MAGI_FAKE_DIR:?MAGI_FAKE_DIR is not set for this test host}
printf '%s\n' "${0##*/} $*" >> "$fake_dir/calls.log"
if [ -f "$fake_dir/sessions.log" ]; then
  read -r fake_stat < "/proc/$$/stat"
  fake_log_session() { printf '%s %s\n' "$1" "$7" >> "$fake_dir/sessions.log"; }
  # Unquoted on purpose: the stat fields become the function's arguments.
  fake_log_session "${0##*/}" $fake_stat
fi
fake_delay=${MAGI_FAKE_DELAY-}
if [ -f "$fake_dir/delay" ]; then read -r fake_delay < "$fake_dir/delay"; fi
if [ -n "$fake_delay" ] && [ "$fake_delay" != 0 ]; then sleep "$fake_delay"; fi
