// Decides what a reload applies: the sections magi swaps while running come from the new file, the others keep the
// values magi started with (named, so the log can say they wait for a restart).
import { isDeepStrictEqual } from "node:util";
import { formatIssues } from "./format-issues.ts";
import { configSchema, type Config } from "./schema.ts";

// The top-level sections a reload applies; every other one is read once, at start.
export const RELOADABLE_SECTIONS: readonly (keyof Config)[] = ["hosts", "access", "rooms", "admin_dms", "approvals", "alerts", "schedules", "forgejo"];

// The config to run with after a reload and what changed, or why the reload is refused.
export type ReloadPlan =
  | { ok: true; config: Config; changed: string[]; waiting: string[] }
  | { ok: false; problems: string[] };

// Merges next (already validated on its own) into running; the merge is validated again, since sections kept from the
// running config (a check) may name a host or tag the new file no longer has.
export function planReload(running: Config, next: Config): ReloadPlan {
  const merged: Record<string, unknown> = { ...running };
  const changed: string[] = [];
  const waiting: string[] = [];
  for (const key of new Set([...Object.keys(running), ...Object.keys(next)]) as Set<keyof Config>) {
    if (isDeepStrictEqual(running[key], next[key])) continue;
    if (!RELOADABLE_SECTIONS.includes(key)) {
      waiting.push(key);
      continue;
    }
    changed.push(key);
    if (next[key] === undefined) delete merged[key];
    else merged[key] = next[key];
  }
  const checked = configSchema.safeParse(merged);
  if (!checked.success) {
    const kept = waiting.length > 0 ? ` (a reload keeps ${waiting.join(", ")} as magi started with them; restart magi to change those)` : "";
    return { ok: false, problems: formatIssues(checked.error.issues).map((p) => `${p}${kept}`) };
  }
  return { ok: true, config: merged as Config, changed, waiting };
}
