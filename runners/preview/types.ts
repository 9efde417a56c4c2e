// What a deploy preview is: the system a commit builds for a host, and how it differs from what the host runs.
import type { ClosureDiff } from "./parse-diff-closures.ts";
import type { UnitChanges } from "./parse-dry-activate.ts";

// One host's preview, or why there is none.
export type HostPreview =
  | {
      ok: true;
      host: string;
      // The toplevel store path the commit builds.
      path?: string;
      // Where it was built: "magi", or the host's name (nixos-rebuild-on-host builds on the host).
      builtOn: string;
      // What the host runs now (readlink /run/current-system); undefined when it could not be read.
      current?: string;
      // The host already runs exactly this system.
      same: boolean;
      diff?: ClosureDiff;
      // diff-closures' output as nix printed it: the whole diff, attached to a long preview.
      diffText?: string;
      // Why there is no closure diff or unit list, when there is none.
      notes: string[];
      units?: UnitChanges;
      // Packages only a reboot brings into use (kernel, initrd, systemd).
      bootChanges: string[];
      // Served from the cache of (current path, new path).
      cached: boolean;
    }
  // cancelled: someone stopped the preview's job (!cancel), so the request ends without asking.
  | { ok: false; host: string; problem: string; tail: string[]; cancelled?: true };
