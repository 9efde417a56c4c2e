# Shared by the sandbox's demo NixOS tools; sourced, never run. None of this touches the real
# machine: every piece of "system" state lives in the demo host's own directory:
#   MAGI_DEMO_HOST_DIR/run/current-system, run/booted-system   what /run/… would hold on NixOS
#   MAGI_DEMO_HOST_DIR/profiles/system, system-N-link          /nix/var/nix/profiles/… (N-link → store path)
#   MAGI_DEMO_HOST_DIR/generations/N                           date, flake revision (list-generations)
#   MAGI_DEMO_HOST_DIR/calls.log                               one line per tool call: tool and arguments
#   MAGI_DEMO_HOST_DIR/power-request                           written by systemctl; the sandbox acts on it
# session-guard (the hosts' ForceCommand) sets these variables, MAGI_DEMO_TOOLS (this directory, first
# on PATH) and MAGI_DEMO_SYSTEM_PATH (the system's PATH, for the real read-only tools).

demo_init() {
  demo_tool=$1
  shift
  H=${MAGI_DEMO_HOST_DIR:?"demo $demo_tool: MAGI_DEMO_HOST_DIR is not set (run it through session-guard)"}
  HOST=${MAGI_DEMO_HOST_NAME:-demo}
  printf '%s %s\n' "$demo_tool" "$*" >>"$H/calls.log"
}

# The real readlink: on PATH the demo one comes first.
demo_readlink() {
  (PATH=$MAGI_DEMO_SYSTEM_PATH; readlink "$@")
}

# The demo host's own path for a NixOS path the runners name ($1); other paths are returned as they are.
demo_map_path() {
  case "$1" in
    /run/current-system|/run/booted-system) printf '%s/run/%s\n' "$H" "${1#/run/}" ;;
    /nix/var/nix/profiles/system*) printf '%s/profiles/%s\n' "$H" "${1#/nix/var/nix/profiles/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# A toplevel store path for host $1 built from flake revision $2 (Nix's base32 has no "e").
demo_store_path() {
  hash=$(printf '%s-%s' "$1" "$2" | sha256sum | cut -c1-32 | tr e z)
  printf '/nix/store/%s-nixos-system-%s-25.05.20250601.%s\n' "$hash" "$1" "$(printf '%s' "$2" | cut -c1-7)"
}

# The generation number the system profile points at.
demo_profile_generation() {
  demo_readlink "$H/profiles/system" | sed -n 's/^system-\([0-9]*\)-link$/\1/p'
}

# Points run/$1 (current-system or booted-system) at store path $2 atomically.
demo_set_link() {
  ln -sfn "$2" "$H/run/$1.new" && mv -T "$H/run/$1.new" "$H/run/$1"
}

# Adds generation N+1 for store path $1 built from revision $2 and makes it the profile (boot default).
demo_add_generation() {
  last=$(ls "$H/generations" | sort -n | tail -n 1)
  next=$(( ${last:-0} + 1 ))
  printf '%s\t%s\n' "$(date -u '+%Y-%m-%d %H:%M:%S')" "$2" >"$H/generations/$next"
  ln -sfn "$1" "$H/profiles/system-$next-link"
  ln -sfn "system-$next-link" "$H/profiles/system.new" && mv -T "$H/profiles/system.new" "$H/profiles/system"
  echo "$next"
}

# What switch-to-configuration $1 prints, with the pauses a small machine takes.
demo_activate() {
  case "$1" in
    dry-activate) echo "would restart the following units: nginx.service" >&2; return 0 ;;
    boot) echo "updating systemd-boot entries..." >&2; sleep 0.3; return 0 ;;
  esac
  echo "activating the configuration..." >&2
  sleep 0.3
  printf 'setting up /etc...\nreloading user units for root...\nrestarting sysinit-reactivation.target\n' >&2
  sleep 0.3
  echo "the following new units were started: nginx.service" >&2
}

# Makes the profile's generation live for action $1 (switch and test change current-system).
demo_switch_to_profile() {
  target=$(demo_readlink "$H/profiles/system-$(demo_profile_generation)-link")
  demo_activate "$1" || return $?
  case "$1" in switch|test) demo_set_link current-system "$target" ;; esac
}
