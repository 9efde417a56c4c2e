// What magi can do to a host's power over SSH: the systemctl verbs !shutdown and !reboot run.

// systemctl's verbs, as the power runner and the commands name them.
export const POWER_ACTIONS = ["poweroff", "reboot"] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];
