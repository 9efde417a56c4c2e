// Enrollment's settings, read once from config: the flake (from deploy), sops, the admin identity, and which rules apply to which host.
import type { Config } from "../../config/schema.ts";
import { TAG_MARK } from "../../domain/names.ts";
import type { HostEntry } from "../inventory.ts";

// Everything enrollment needs besides the host.
export interface EnrollSettings {
  flakeDir: string;
  remote: string;
  branch: string;
  // sops-nix (.sops.yaml and sops updatekeys) or agenix (keys JSON and age).
  method: "sops-nix" | "agenix";
  sops: string;
  age: string;
  identityFile: string;
  // agenix: the keys JSON secrets.nix reads, and the JSON naming which keys may decrypt each file.
  agenix: { keysFile: string; filesFile: string };
  // path_regex values of .sops.yaml, by host name or @tag.
  rules: Record<string, string[]>;
  author: { name: string; email: string };
  // Deploy after every enrollment, and the files that must then exist, non-empty, on the host.
  deploy: boolean;
  verifyPaths: string[];
  // Keys config pins (hosts.<name>.ssh.host_key or known_hosts_file): they win over magi's own pins.
  configPins: ReadonlyMap<string, string>;
}

// Builds the settings, or says why enrollment is off.
export function readEnrollSettings(config: Pick<Config, "enroll" | "deploy">, configPins: ReadonlyMap<string, string>): EnrollSettings | string {
  if (!config.enroll) return "enrollment is not configured (the enroll section of magi's config)";
  if (!config.deploy) return "enrollment needs the team's flake (the deploy section of magi's config: flake_dir, remote, branch)";
  const author = /^(.+?)\s*<([^<>\s]+)>$/.exec(config.enroll.commit_author)!;
  return {
    flakeDir: config.deploy.flake_dir, remote: config.deploy.remote, branch: config.deploy.branch,
    method: config.enroll.method, sops: config.enroll.sops, age: config.enroll.age,
    agenix: { keysFile: config.enroll.agenix.keys_file, filesFile: config.enroll.agenix.files_file }, identityFile: config.enroll.admin_identity_file, rules: config.enroll.rules,
    author: { name: author[1]!, email: author[2]! }, configPins, deploy: config.enroll.deploy, verifyPaths: config.enroll.verify_paths,
  };
}

// The path_regex values that apply to a host: its own entry, then its tags' entries, each once.
export function listHostRules(settings: EnrollSettings, host: HostEntry): string[] {
  const keys = [host.name, ...host.tags.map((t) => `${TAG_MARK}${t}`)];
  return [...new Set(keys.flatMap((k) => settings.rules[k] ?? []))];
}
