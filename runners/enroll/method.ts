// The part of enrollment that differs between sops-nix and agenix: which files a host's key affects, and how the
// checkout is changed so the key can decrypt them. Everything around it (key checks, worktree, commit, push, pin) is shared.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostEntry } from "../inventory.ts";
import type { JobIO } from "../jobs/types.ts";
import { listTrackedFiles, showFile } from "./read-flake.ts";

// The key being enrolled, in the forms the methods need.
export interface EnrollTarget {
  host: HostEntry;
  keyLine: string;
  fingerprint: string;
  recipient: string;
  replace: boolean;
}

// One commit of the flake, read without caring whether it is checked out (a plan) or a worktree (the job).
export interface FlakeView {
  read(path: string): Promise<string | undefined>;
  tracked(): Promise<string[] | string>;
}

// What enrolling would change: the affected files, whether the method's config file changes, the key or recipient it
// replaces (with --replace), and the affected files not yet encrypted for the host.
export interface Inspection {
  files: string[];
  changed: boolean;
  previous?: string;
  lacking: string[];
}

// What a method did to a worktree: the paths to commit, and the affected files.
export interface Applied {
  paths: string[];
  files: string[];
}

// One enrollment method.
export interface EnrollMethod {
  // The file naming the recipients, as replies call it (.sops.yaml, or agenix's keys file).
  configName: string;
  // Why the method can't enroll this host whatever the flake holds (checked before the host is even asked for its key).
  checkHost?(host: HostEntry): string | undefined;
  // Why the method's tools don't run, checked before anyone approves.
  checkTools(): Promise<string | undefined>;
  inspect(view: FlakeView, target: EnrollTarget): Promise<Inspection | string>;
  // Changes the worktree at dir and checks the result; a string says why it failed.
  apply(dir: string, target: EnrollTarget, io: JobIO): Promise<Applied | string>;
}

// A commit of the flake read with git show.
export function viewCommit(dir: string, sha: string): FlakeView {
  return { read: (path) => showFile(dir, sha, path), tracked: () => listTrackedFiles(dir, sha) };
}

// A checked-out worktree, read byte for byte (git show's output through execa loses the last newline).
export function viewWorktree(dir: string): FlakeView {
  return { read: (path) => readFile(join(dir, path), "utf8").catch(() => undefined), tracked: () => listTrackedFiles(dir) };
}
