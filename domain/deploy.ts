// The deploy vocabulary: how the flake reaches a host (method), what the host does with it (action),
// and how nixos-rebuild becomes root there. Config, commands and runners all build on these lists.

// How !deploy can reach a host (see config.example.yaml).
export const DEPLOY_METHODS = ["nixos-rebuild", "nixos-rebuild-on-host", "deploy-rs", "colmena"] as const;
export type DeployMethod = (typeof DEPLOY_METHODS)[number];
// The method of a host whose config names none.
export const DEFAULT_DEPLOY_METHOD: DeployMethod = "nixos-rebuild";

// What the host does with the new generation.
export const DEPLOY_ACTIONS = ["switch", "boot", "test", "dry-activate"] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];
// The action of a deploy that asks for none.
export const DEFAULT_DEPLOY_ACTION: DeployAction = "switch";

// nixos-rebuild's ways to become root on the target: --use-remote-sudo before 24.11, --sudo after,
// --elevate=sudo in the newest nixos-rebuild-ng. None by default (deploying as root).
export const PRIVILEGE_FLAGS = ["--use-remote-sudo", "--sudo", "--elevate=sudo"] as const;
export type PrivilegeFlag = (typeof PRIVILEGE_FLAGS)[number];

// A flake attribute (nixosConfigurations.<attr>, deploy.nodes.<attr>, colmena node): it becomes part of one argument.
export const FLAKE_ATTR_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;
