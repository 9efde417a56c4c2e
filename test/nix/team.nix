# The team's magi on NixOS, as docs/install-nixos.md shows it: one Slack-bridged room, misato
# (k3s), the VPS and the NAS, secrets from sops-nix. Evaluated by test/unit/nix/module.test.ts and
# used by the flake's VM test.
{
  services.magi = {
    enable = true;
    accessTokenFile = "/run/secrets/magi-access-token";
    sshKeyFile = "/run/secrets/magi-ssh-key";
    sopsAgeKeyFile = "/run/secrets/magi-age-key";
    credentials.http-health = "/run/secrets/magi-http-health";
    settings = {
      matrix = {
        homeserver_url = "https://matrix.example.org";
        user_id = "@magi:example.org";
      };
      access = {
        users."@dan:example.org" = "admin";
        # Slack users bridged by mautrix-slack.
        patterns = [{ glob = "@slack_t0123abcd-*:example.org"; level = "communication"; }];
      };
      # mautrix-slack drops m.notice unless bridge_notices is on: reply with m.text.
      rooms."#ops:example.org".reply_msgtype = "m.text";
      http = {
        listen = "127.0.0.1:9187";
        credentials_file = "\${CREDENTIALS_DIRECTORY}/http-health";
      };
      hosts = {
        misato = {
          address = "10.0.0.11";
          tags = [ "k3s" "prod" ];
          mac = "00:11:22:33:44:55";
          ssh.host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz+U0YtjINc54dZiJNclfmEFifF7RXCFlNlTbuZBji misato";
        };
        vps = {
          address = "vps.example.org";
          tags = [ "prod" ];
          ssh.host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBI1+Q+ntzANebtnicCiAY29uqLGWOaOGLEa8bUqOVmS vps";
          deploy = { method = "nixos-rebuild-on-host"; flake_url = "git+https://git.example.org/team/infra?rev={rev}"; };
        };
        nas = {
          address = "nas.lan";
          tags = [ "storage" ];
          mac = "00:11:22:33:44:66";
          wake = { broadcast = "192.168.1.255"; relay = "misato"; };
          ssh = { user = "magi"; sudo = true; host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOHz+U0YtjINc54dZiJNclfmEFifF7RXCFlNlTbuZBji nas"; };
        };
      };
      deploy.branch = "main";
      enroll.rules.vps = [ "secrets/vps/[^/]+\\.yaml$" ];
    };
  };
}
