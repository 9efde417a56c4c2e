# The NixOS VM test `nix flake check` runs (checks.<system>.nixos): the team's module settings from
# test/nix/team.nix on a real NixOS, proving what this repository's CI cannot: the package starts
# from the store, the hardened unit runs, the credentials arrive, and a reload keeps it running.
# There is no homeserver in the VM, so magi gets as far as waiting for it.
{ module }:

{
  name = "magi";

  nodes.machine = { pkgs, ... }: {
    imports = [ module ../test/nix/team.nix ];
    # Stand-ins for the secrets sops-nix or agenix would provide.
    systemd.tmpfiles.rules = [
      "d /run/secrets 0755 root root -"
      "f /run/secrets/magi-access-token 0400 root root - syt_not_a_real_token"
      "f /run/secrets/magi-http-health 0400 root root - a-long-random-health-secret"
      "f /run/secrets/magi-age-key 0400 root root - AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQSMFNU0"
    ];
    environment.systemPackages = [ pkgs.git pkgs.openssh ];
  };

  testScript = ''
    machine.wait_for_unit("multi-user.target")
    machine.succeed("ssh-keygen -q -t ed25519 -N ''' -f /run/secrets/magi-ssh-key")
    # deploy.flake_dir must be a clone owned by magi before magi accepts the config.
    machine.succeed("install -d -o magi -g magi -m 0700 /var/lib/magi/infra")
    machine.succeed("runuser -u magi -- git -C /var/lib/magi/infra init -q")
    machine.succeed("systemctl restart magi")

    machine.wait_until_succeeds("journalctl -u magi -o cat | grep -q 'homeserver unreachable; retrying'")
    machine.succeed("systemctl is-active magi")
    machine.fail("journalctl -u magi -o cat | grep -q 'running them through tsx'")

    # The secrets are in the service's credentials, not readable by others, and never in the store.
    machine.succeed("grep -q CREDENTIALS_DIRECTORY /etc/magi/config.yaml")
    machine.fail("grep -rq syt_not_a_real_token /nix/store/*magi-config.yaml")
    machine.succeed("test \"$(cat /run/credentials/magi.service/access-token)\" = syt_not_a_real_token")
    pid = machine.succeed("systemctl show -P MainPID magi").strip()

    for prop, value in [("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", "")]:
        machine.succeed(f"test \"$(systemctl show -P {prop} magi)\" = '{value}'")

    # A reload (SIGHUP) keeps the same process.
    machine.succeed("systemctl reload magi")
    machine.sleep(2)
    machine.succeed(f"test \"$(systemctl show -P MainPID magi)\" = {pid}")
  '';
}
