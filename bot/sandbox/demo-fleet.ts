// The sandbox's demo fleet: which hosts it simulates, and where their demo NixOS tools live.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// One simulated machine: its name and tags in magi's config, the MAC a magic packet wakes it by,
// and whether it has a ZFS pool (the NAS).
export interface DemoHostSpec {
  name: string;
  tags: string[];
  mac: string;
  zfs: boolean;
}

// The fleet, named after the team's machines; the MACs are locally administered (52:54:00, QEMU's prefix).
export const DEMO_FLEET: readonly DemoHostSpec[] = [
  { name: "demo", tags: ["sandbox"], mac: "52:54:00:6d:61:01", zfs: false },
  { name: "misato", tags: ["sandbox", "k3s"], mac: "52:54:00:6d:61:02", zfs: false },
  { name: "kaji", tags: ["sandbox", "nas"], mac: "52:54:00:6d:61:03", zfs: true },
];

const TOOLS = join("bot", "sandbox", "demo-tools");

// The demo-tools directory of this checkout. Found by walking up from this module, because magi
// runs from an esbuild bundle under node_modules/.cache as well as from the sources.
export function findDemoTools(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, TOOLS, "session-guard"))) return join(dir, TOOLS);
    if (dirname(dir) === dir) throw new Error(`cannot find ${TOOLS}/session-guard above ${from}`);
  }
}
