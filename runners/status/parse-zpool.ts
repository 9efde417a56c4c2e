// Reads `zpool status -x`, which lists only pools that need attention.
import type { PoolHealth } from "./types.ts";

// Parses the report: [] when every pool is healthy, "no-pools" when there are none, undefined when unreadable.
export function parseZpoolStatus(stdout: string): PoolHealth[] | "no-pools" | undefined {
  const text = stdout.trim();
  if (text === "all pools are healthy") return [];
  if (text === "no pools available") return "no-pools";
  const pools: PoolHealth[] = [];
  for (const line of text.split("\n")) {
    const pool = /^\s*pool:\s*(\S+)/.exec(line);
    if (pool) pools.push({ name: pool[1]!, state: "UNKNOWN" });
    const state = /^\s*state:\s*(\S+)/.exec(line);
    const last = pools.at(-1);
    if (state && last) last.state = state[1]!;
  }
  return pools.length > 0 ? pools : undefined;
}
