# Evaluates nix/module.nix with the stand-ins in stubs.nix and the given settings, and returns what
# a NixOS system would get from it: the unit, the user, and the rendered config file's text.
# nix-instantiate --eval --strict --json test/nix/eval-module.nix --arg lib 'import <nixpkgs-lib>' --arg module '{ ... }'
{ lib, module }:

let
  evaluated = lib.evalModules {
    modules = [
      ./stubs.nix
      ../../nix/module.nix
      { services.magi.package = { type = "derivation"; name = "magi"; outPath = "/nix/store/stub-magi"; }; }
      module
    ];
  };
  inherit (evaluated) config;
  inherit (config.environment) etc;
in
{
  service = config.systemd.services.magi or null;
  users = config.users.users;
  groups = config.users.groups;
  systemPackages = config.environment.systemPackages;
  configFile = { inherit (config.services.magi.configFile) name text; };
  # The file in /etc and how the build checks it.
  etc = if etc ? "magi/config.yaml" then { inherit (etc."magi/config.yaml".source) name; script = etc."magi/config.yaml".source.script or null; } else null;
}
