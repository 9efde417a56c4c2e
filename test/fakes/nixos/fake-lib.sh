# Sourced by every fake NixOS tool here: finds the test host's state dir, logs the call, sleeps in slow mode.
# MAGI_FAKE_DIR   the host's dir: calls.log is appended to, and each fake reads its canned output from there.
# MAGI_FAKE_DELAY seconds each fake waits before answering, like a busy host (the fan-out benchmark).
fake_dir=${MAGI_FAKE_DIR:?MAGI_FAKE_DIR is not set for this test host}
printf '%s\n' "${0##*/} $*" >> "$fake_dir/calls.log"
if [ -n "${MAGI_FAKE_DELAY-}" ]; then sleep "$MAGI_FAKE_DELAY"; fi
