# Sourced by every fake NixOS tool here: finds the test host's state dir, logs the call, sleeps in slow mode.
# MAGI_FAKE_DIR   the host's dir: calls.log is appended to, and each fake reads its canned output from there.
# MAGI_FAKE_DELAY seconds each fake waits before answering, like a busy host (the fan-out benchmark);
#                 a file named delay in the host's dir overrides it, so a running host can change pace.
fake_dir=${MAGI_FAKE_DIR:?MAGI_FAKE_DIR is not set for this test host}
printf '%s\n' "${0##*/} $*" >> "$fake_dir/calls.log"
fake_delay=${MAGI_FAKE_DELAY-}
if [ -f "$fake_dir/delay" ]; then read -r fake_delay < "$fake_dir/delay"; fi
if [ -n "$fake_delay" ] && [ "$fake_delay" != 0 ]; then sleep "$fake_delay"; fi
