# Shared helpers for magi's FAKE deploy tools (nixos-rebuild, deploy, colmena, nix-env,
# switch-to-configuration); sourced by them, never run. Test-only: none of this is NixOS.
#
# Environment contract:
#   MAGI_FAKE_CALLS    required: file each call appends one line to: the tool name, then every
#                      argument, tab-separated. What the tool saw goes to "$MAGI_FAKE_CALLS.context":
#                      tool, cwd=, head= (git HEAD of the flake dir), dirty= (changed files), sshopts=.
#   MAGI_FAKE_MODE     ok (default) | units-failed | eval-error | slow | long-log (600 lines of
#                      substitutions, about 50 kB, as a big rebuild prints); a file named fake-mode next to
#                      the calls file wins, so tests can change the mode of remote fakes too; a file
#                      named fake-mode.<host> sets the mode of that host's build alone.
#   fake-drift         a file next to the calls file: its text goes into every store path's hash, so
#                      the same commit builds another path (an input that moved, a build that is not reproducible).
#   MAGI_FAKE_RUN_DIR  the directory holding the host's current-system link, switched on switch and
#                      test ("/run" inside a test sshd's mount namespace, /proc/<sshd pid>/root/run
#                      from outside it). Unset: the link is left alone.
# Slow mode writes fake-child.pid (a sleeping child) and fake-leader.pid next to the calls file.

fake_init() {
  FAKE_TOOL=$1
  shift
  FAKE_CALLS=${MAGI_FAKE_CALLS:?"fake $FAKE_TOOL needs MAGI_FAKE_CALLS"}
  FAKE_DIR=$(dirname "$FAKE_CALLS")
  if [ -f "$FAKE_DIR/fake-mode" ]; then FAKE_MODE=$(cat "$FAKE_DIR/fake-mode"); else FAKE_MODE=${MAGI_FAKE_MODE:-ok}; fi
  { printf '%s' "$FAKE_TOOL"; for arg in "$@"; do printf '\t%s' "$arg"; done; printf '\n'; } >>"$FAKE_CALLS"
}

# Records where the tool ran and which commit its flake directory ($1, or - for none) held.
fake_context() {
  head=- dirty=-
  if [ -d "$1" ]; then
    head=$(git -C "$1" rev-parse HEAD 2>/dev/null || echo -)
    dirty=$(git -C "$1" status --porcelain 2>/dev/null | wc -l | tr -d ' ')
  fi
  printf '%s\tcwd=%s\thead=%s\tdirty=%s\tsshopts=%s\n' "$FAKE_TOOL" "$(pwd)" "$head" "$dirty" "${NIX_SSHOPTS:-}" >>"$FAKE_CALLS.context"
}

# The commit a flake reference ($1: dir#attr or url#attr) pins: HEAD of a checkout, or a sha in the URL.
fake_rev_of() {
  ref=${1%%#*}
  if [ -d "$ref" ]; then git -C "$ref" rev-parse HEAD; else printf '%s\n' "$ref" | grep -oE '[0-9a-f]{40}' | head -n 1; fi
}

# A toplevel store path for host $1 built from rev $2 (Nix's base32 has no "e").
fake_store_path() {
  drift=
  [ -f "${FAKE_DIR:-/nonexistent}/fake-drift" ] && drift=$(cat "$FAKE_DIR/fake-drift")
  hash=$(printf '%s-%s%s' "$1" "$2" "$drift" | sha256sum | cut -c1-32 | tr e z)
  printf '/nix/store/%s-nixos-system-%s-25.05.20250601.%s\n' "$hash" "$1" "$(printf '%s' "$2" | cut -c1-7)"
}

# Points current-system at $1 atomically, as switch-to-configuration's generation becomes live.
fake_switch() {
  [ -n "${MAGI_FAKE_RUN_DIR:-}" ] || return 0
  ln -sfn "$1" "$MAGI_FAKE_RUN_DIR/current-system.new"
  mv -T "$MAGI_FAKE_RUN_DIR/current-system.new" "$MAGI_FAKE_RUN_DIR/current-system"
}

# Sleeps "building" with a child that outlives a killed parent unless its whole group is killed.
fake_slow_build() {
  sleep 300 &
  echo "$!" >"$FAKE_DIR/fake-child.pid"
  echo "$$" >"$FAKE_DIR/fake-leader.pid"
  wait
}

# What nix build prints for host $1 at rev $2 after evaluating (eval-error mode fails here instead).
fake_build() {
  [ -f "$FAKE_DIR/fake-mode.$1" ] && FAKE_MODE=$(cat "$FAKE_DIR/fake-mode.$1")
  if [ "$FAKE_MODE" = eval-error ]; then
    cat >&2 <<EOT
error:
       … while calling the 'seq' builtin
         at /nix/store/8b1kq0xw2iv1vv3jqdbhwgcjh5azyxl1-source/lib/modules.nix:334:18:
          333|         options = checked options;
          334|         config = checked (removeAttrs config [ "_module" ]);
             |                  ^
          335|         _module = checked (config._module);

       … while evaluating the option \`services.k3s.serverAddr':

       (stack trace truncated; use '--show-trace' to show the full, detailed trace)

       error: attribute '$1' missing
       at /nix/store/3q0wzy5hbmj2c9mkyd5yvprcw3fij5c4-source/hosts/common/k3s.nix:12:35:
           11|   services.k3s.role = "agent";
           12|   services.k3s.serverAddr = "https://\${hosts.$1.address}:6443";
             |                                   ^
EOT
    return 1
  fi
  drv=$(fake_store_path "$1" "$2" | sed 's,^/nix/store/\(.*\),\1,')
  printf 'these 2 derivations will be built:\n  /nix/store/0j8nrz4c1wz9dsl0xqz3hmvvd0hl7gja-etc.drv\n  /nix/store/%s.drv\n' "$drv" >&2
  echo "building '/nix/store/0j8nrz4c1wz9dsl0xqz3hmvvd0hl7gja-etc.drv'..." >&2
  [ "$FAKE_MODE" = slow ] && fake_slow_build
  if [ "$FAKE_MODE" = long-log ]; then
    i=0
    while [ "$i" -lt 600 ]; do
      printf "copying path '/nix/store/%032d-source' from 'https://cache.nixos.org'...\n" "$i" >&2
      i=$((i + 1))
    done
  fi
  echo "building '/nix/store/$drv.drv'..." >&2
  return 0
}

# What switch-to-configuration $1 prints; returns 4 in units-failed mode, like the real one.
fake_activate() {
  case "$1" in
    dry-activate)
      # The order and wording of switch-to-configuration's dry-activate report.
      printf '%s\n' "would stop the following units: nginx.service" "would activate the configuration..." \
        "would restart systemd" "would restart the following units: sshd.service" \
        "would reload the following units: dbus.service" "would start the following units: k3s.service, nginx.service" >&2
      return 0 ;;
    boot) echo "updating systemd-boot entries..." >&2; return 0 ;;
  esac
  printf 'activating the configuration...\nsetting up /etc...\nreloading user units for root...\nrestarting sysinit-reactivation.target\n' >&2
  if [ "$FAKE_MODE" = units-failed ]; then
    cat >&2 <<'EOT'
warning: the following units failed: k3s.service, nginx.service

× k3s.service - k3s service
     Loaded: loaded (/etc/systemd/system/k3s.service; enabled; preset: enabled)
     Active: failed (Result: exit-code) since Sun 2025-06-01 12:00:03 UTC; 1s ago
    Process: 4242 ExecStart=/nix/store/1m3pd5nxi8jw0c8kq7cm3cy5wvfbm8c3-k3s-1.31.4+k3s1/bin/k3s server (code=exited, status=1/FAILURE)
   Main PID: 4242 (code=exited, status=1/FAILURE)
EOT
    return 4
  fi
  echo "the following new units were started: k3s.service" >&2
  return 0
}
