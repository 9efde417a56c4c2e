// Reads what `switch-to-configuration dry-activate` says it would do: "would restart the following
// units: a.service, b.service" and its siblings for stop, reload and start.

// The units a switch would touch, by what would happen to them.
export interface UnitChanges {
  stop: string[];
  restart: string[];
  reload: string[];
  start: string[];
  // "would restart systemd": PID 1 re-executes itself.
  systemd: boolean;
}

const LINE = /^would (stop|restart|reload|start) the following units: (.+)$/;

// Collects the unit lists from dry-activate's output (stderr and stdout alike); other lines are skipped.
export function parseDryActivate(output: string): UnitChanges {
  const changes: UnitChanges = { stop: [], restart: [], reload: [], start: [], systemd: false };
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    if (line === "would restart systemd") changes.systemd = true;
    const match = LINE.exec(line);
    if (!match) continue;
    const units = match[2]!.split(",").map((u) => u.trim()).filter(Boolean);
    changes[match[1] as "stop" | "restart" | "reload" | "start"].push(...units);
  }
  return changes;
}
