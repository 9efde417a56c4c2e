// What a scheduled fleet check can watch on each host, named once for the config and the runner.

// The config's words for the kinds of problem a schedule watches, in the order problems are reported.
export const WATCH_KINDS = ["reachability", "failed_units", "disks", "reboot", "zfs", "checks"] as const;

// One kind of problem a schedule watches.
export type WatchKind = (typeof WATCH_KINDS)[number];
