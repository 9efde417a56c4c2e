# Evaluates flake.nix's outputs with a stand-in nixpkgs (nixpkgs' lib plus the few functions the
# flake calls, which record their arguments), and the VM test's machine with the module stand-ins,
# so a wrong attribute or import in the flake fails here rather than on a NixOS user's machine.
# nix-instantiate --eval --strict --json test/nix/eval-flake.nix --arg lib 'import <nixpkgs-lib>'
{ lib }:

let
  system = "x86_64-linux";
  stubPackage = name: { type = "derivation"; inherit name; outPath = "/nix/store/stub-${name}"; };
  pkgs = {
    inherit lib;
    stdenv.hostPlatform.system = system;
    # The package's arguments, as buildNpmPackage would receive them.
    callPackage = file: args: import file ({
      inherit lib;
      buildNpmPackage = attrs: stubPackage "${attrs.pname}-${attrs.version}" // { inherit attrs; };
      importNpmLock = { npmRoot }: { lockFrom = npmRoot; } // { npmConfigHook = "importNpmLock.npmConfigHook"; };
      nodejs = stubPackage "nodejs";
      python3 = stubPackage "python3";
    } // args);
    testers.runNixOSTest = test: test;
  };
  nixpkgs = { inherit lib; legacyPackages.${system} = pkgs; };
  self = (import ../../flake.nix).outputs { inherit self nixpkgs; } // { outPath = toString ../..; };

  vmTest = self.checks.${system}.nixos;
  machine = (lib.evalModules {
    modules = [ ./stubs.nix vmTest.nodes.machine ];
  }).config;
  package = self.packages.${system}.default;
in
{
  systems = builtins.attrNames self.packages;
  package = { inherit (package) name; inherit (package.attrs) npmRebuildFlags postInstall; npmRoot = toString package.attrs.npmDeps.lockFrom; };
  checks = builtins.attrNames self.checks.${system};
  vmTest = { inherit (vmTest) name testScript; };
  machine = {
    execStart = machine.systemd.services.magi.serviceConfig.ExecStart;
    secrets = machine.systemd.tmpfiles.rules;
  };
}
