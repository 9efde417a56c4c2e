{
  description = "magi, a Matrix chat-ops bot for a small team running NixOS machines";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      eachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = eachSystem (pkgs: rec {
        magi = pkgs.callPackage ./nix/package.nix { src = ./.; };
        default = magi;
      });

      # nix/module.nix, with this flake's package as the default.
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nix/module.nix ];
        services.magi.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      # What CI cannot run without nixpkgs: the package build and a NixOS VM running the service.
      checks = eachSystem (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        nixos = pkgs.testers.runNixOSTest (import ./nix/vm-test.nix { module = self.nixosModules.default; });
      });
    };
}
