# Stand-ins for the few NixOS options nix/module.nix sets and the packages it names, so the module
# evaluates with nixpkgs' lib alone (nixpkgs itself is not available where the tests run).
# Packages are named store paths; formats.yaml renders JSON (valid YAML) and keeps the text readable.
{ lib, ... }:

let
  inherit (lib) mkOption types;
  stubPackage = name: { type = "derivation"; inherit name; outPath = "/nix/store/stub-${name}"; };
  loose = types.attrsOf types.anything;

  # Any value a YAML file can hold, the freeform type of settings.
  yamlValue = types.nullOr (types.oneOf [ types.bool types.int types.float types.str (types.attrsOf yamlValue) (types.listOf yamlValue) ]) // { description = "YAML value"; };
in
{
  options = {
    users.users = mkOption { type = loose; default = { }; };
    users.groups = mkOption { type = loose; default = { }; };
    environment.etc = mkOption { type = loose; default = { }; };
    systemd.services = mkOption { type = loose; default = { }; };
    nix.package = mkOption { type = types.package; default = stubPackage "nix"; };
    # Set by the flake's VM test machine.
    systemd.tmpfiles.rules = mkOption { type = types.listOf types.str; default = [ ]; };
    environment.systemPackages = mkOption { type = types.listOf types.package; default = [ ]; };
  };

  config._module.args.pkgs = lib.genAttrs [ "git" "nixos-rebuild" "openssh" "sops" "age" "coreutils" ] stubPackage // {
    stdenv.hostPlatform.system = "x86_64-linux";
    runCommand = name: env: script: { inherit name script; outPath = "/nix/store/stub-${name}"; };
    formats.yaml = { }: {
      type = yamlValue;
      generate = name: value: { inherit name; outPath = "/nix/store/stub-${name}"; text = builtins.toJSON value; };
    };
  };
}
