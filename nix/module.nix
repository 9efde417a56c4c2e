# NixOS module for magi: a hardened service running as its own user, its config rendered from
# `services.magi.settings`, and its secrets handed over by systemd's LoadCredential= so they never
# enter the Nix store. magi expands ${CREDENTIALS_DIRECTORY} in config values (config/load-config.ts).
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkEnableOption mkIf mkOption types;

  cfg = config.services.magi;
  yaml = pkgs.formats.yaml { };
  stateDir = "/var/lib/magi";
  # Written literally into the config; magi replaces it with the directory systemd made.
  credentialsDir = "\${CREDENTIALS_DIRECTORY}";

  # Credential name => file on the host, for each secret that is set.
  credentials = lib.filterAttrs (_: file: file != null) {
    access-token = cfg.accessTokenFile;
    ssh-key = cfg.sshKeyFile;
    sops-age-key = cfg.sopsAgeKeyFile;
  } // cfg.credentials;

  # Options left unset are null; magi's schema wants them absent.
  configFile = yaml.generate "magi.yaml" (lib.filterAttrsRecursive (_: value: value != null) cfg.settings);
  # A typo fails nixos-rebuild here rather than the service's start. The machine-local checks
  # (secret files, programs) can only run on the host, so magi does those when it starts.
  checkedConfigFile = pkgs.runCommand "magi-config.yaml" { } ''
    ${cfg.package}/bin/magi check-config --no-local ${configFile}
    cp ${configFile} $out
  '';

  # A string, not a Nix path: a path literal would copy the secret into the world-readable store.
  secretFile = description: mkOption {
    type = types.nullOr (types.strMatching "/.+");
    default = null;
    example = "/run/secrets/magi";
    inherit description;
  };

  # A section that may be left out entirely, with typed keys and any other key magi knows.
  optionalSection = description: options: mkOption {
    type = types.nullOr (types.submodule { freeformType = yaml.type; inherit options; });
    default = null;
    inherit description;
  };

  hostOptions = {
    address = mkOption { type = types.str; description = "Host name or IP address magi connects to."; };
    tags = mkOption { type = types.listOf types.str; default = [ ]; description = "Tags grouping hosts, as in `!status @k3s`."; };
    ssh = optionalSection "How magi logs in to the host (user, port, host_key or known_hosts_file, sudo)." {
      identity_file = mkOption {
        type = types.nullOr types.str;
        default = if cfg.sshKeyFile != null then "${credentialsDir}/ssh-key" else null;
        defaultText = lib.literalExpression ''"''${CREDENTIALS_DIRECTORY}/ssh-key" when sshKeyFile is set'';
        description = "Private key magi authenticates with. Defaults to the key from `sshKeyFile`.";
      };
    };
  };
in
{
  options.services.magi = {
    enable = mkEnableOption "magi, the Matrix chat-ops bot for a NixOS fleet";

    package = mkOption {
      type = types.package;
      description = "The magi package (the flake's `packages.<system>.default`).";
    };

    settings = mkOption {
      description = ''
        magi's configuration (config.example.yaml documents every key), rendered to YAML and checked
        by magi at start. Unknown keys are errors there, so typos fail the start instead of passing
        silently. Secrets are paths: use `''${CREDENTIALS_DIRECTORY}/<name>` with `credentials`.
      '';
      default = { };
      type = types.submodule {
        freeformType = yaml.type;
        options = {
          matrix = mkOption {
            description = "The homeserver and magi's account on it.";
            type = types.submodule {
              freeformType = yaml.type;
              options = {
                homeserver_url = mkOption { type = types.str; example = "https://matrix.example.org"; description = "Client-server API base URL of the homeserver."; };
                user_id = mkOption { type = types.str; example = "@magi:example.org"; description = "magi's own Matrix ID; magi refuses a token of someone else."; };
                access_token_file = mkOption {
                  type = types.nullOr types.str;
                  default = if cfg.accessTokenFile != null then "${credentialsDir}/access-token" else null;
                  defaultText = lib.literalExpression ''"''${CREDENTIALS_DIRECTORY}/access-token" when accessTokenFile is set'';
                  description = "File holding the access token. Defaults to the credential from `accessTokenFile`.";
                };
              };
            };
          };
          storage.path = mkOption {
            type = types.str;
            default = "${stateDir}/magi.sqlite";
            description = "The SQLite database (sync token, jobs, approvals, audit log). Must be under /var/lib/magi: the rest of the system is read-only to the service.";
          };
          rooms = mkOption {
            type = types.attrsOf (types.submodule { freeformType = yaml.type; });
            example = { "#ops:example.org" = { reply_msgtype = "m.text"; }; };
            description = "Rooms where magi takes commands, by ID or alias, each with max_level and reply_msgtype.";
          };
          access = mkOption {
            type = types.submodule { freeformType = yaml.type; };
            default = { };
            description = "Who may do what: `users` (exact Matrix IDs to a level) and `patterns` (globs, e.g. bridged Slack users).";
          };
          hosts = mkOption {
            type = types.attrsOf (types.submodule { freeformType = yaml.type; options = hostOptions; });
            default = { };
            description = "The inventory: each host's address, tags, ssh, mac, deploy and wake settings.";
          };
          deploy = optionalSection "Deploys (`!deploy`): the team's flake checkout, remote, branch, timeout." {
            flake_dir = mkOption { type = types.str; default = "${stateDir}/infra"; description = "A clone of the team's flake, owned by magi's user."; };
          };
          enroll = optionalSection "`!enroll` (sops-nix recipients): rules, sops, commit author." {
            admin_identity_file = mkOption {
              type = types.nullOr types.str;
              default = if cfg.sopsAgeKeyFile != null then "${credentialsDir}/sops-age-key" else null;
              defaultText = lib.literalExpression ''"''${CREDENTIALS_DIRECTORY}/sops-age-key" when sopsAgeKeyFile is set'';
              description = "magi's age identity for sops. Defaults to the credential from `sopsAgeKeyFile`.";
            };
          };
        };
      };
    };

    accessTokenFile = secretFile "File with magi's Matrix access token (from sops-nix or agenix), passed as credential `access-token`.";
    sshKeyFile = secretFile "Private SSH key magi logs in to hosts with, passed as credential `ssh-key`.";
    sopsAgeKeyFile = secretFile "magi's age identity for `!enroll`, passed as credential `sops-age-key`.";
    credentials = mkOption {
      type = types.attrsOf (types.strMatching "/.+");
      default = { };
      example = { http-health = "/run/secrets/magi-http-health"; };
      description = "More secrets by credential name, read in settings as `\${CREDENTIALS_DIRECTORY}/<name>`.";
    };
    environmentFile = mkOption {
      type = types.nullOr (types.strMatching "/.+");
      default = null;
      description = "Environment file for the service (e.g. MAGI_ACCESS_TOKEN with matrix.access_token_env).";
    };
    configFile = mkOption {
      type = types.unspecified;
      readOnly = true;
      default = configFile;
      defaultText = lib.literalMD "the YAML rendered from `settings`";
      description = "The config file rendered from `settings`, before magi checks it.";
    };
    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = "Run `magi check-config --no-local` on the rendered config while building the system.";
    };
    extraPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "More programs on the service's PATH (e.g. deploy-rs or colmena).";
    };
  };

  config = mkIf cfg.enable {
    users.users.magi = {
      isSystemUser = true;
      group = "magi";
      home = stateDir;
      description = "magi chat-ops bot";
    };
    users.groups.magi = { };
    # `magi do` for members of the magi group, and `magi check-config` on the host.
    environment.systemPackages = [ cfg.package ];

    # The file's path never changes, so a new config reloads magi (SIGHUP) instead of restarting it.
    environment.etc."magi/config.yaml".source = if cfg.checkConfig then checkedConfigFile else configFile;

    systemd.services.magi = {
      description = "magi, Matrix chat-ops bot";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      reloadTriggers = [ configFile ];
      # What the deploy methods, previews and !enroll run on magi's machine.
      path = [ pkgs.git config.nix.package pkgs.nixos-rebuild pkgs.openssh pkgs.sops pkgs.age ] ++ cfg.extraPackages;
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/magi run --config /etc/magi/config.yaml";
        ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
        Restart = "on-failure";
        RestartSec = 5;
        User = "magi";
        Group = "magi";
        StateDirectory = "magi";
        # magi's group may reach cli/ for `magi do` (docs/terminal.md); the database stays 0600.
        StateDirectoryMode = "0710";
        WorkingDirectory = stateDir;
        UMask = "0077";
        LoadCredential = lib.mapAttrsToList (name: file: "${name}:${file}") credentials;
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;

        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        # AF_INET for SSH, HTTP and wake-on-LAN broadcasts (SO_BROADCAST needs no capability),
        # AF_UNIX for nix-daemon, AF_NETLINK for interface lookups.
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" "AF_NETLINK" ];
        SystemCallFilter = [ "@system-service" ];
        SystemCallArchitectures = "native";
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        # Node's JIT writes executable memory, so MemoryDenyWriteExecute stays off.
      };
    };
  };
}
