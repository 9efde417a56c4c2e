// "Did you mean" suggestions for mistyped command names.
import { measureEditDistance } from "../../config/edit-distance.ts";

// The closest names to what was typed, nearest first, at most three; none if nothing is close.
export function suggestNames(typed: string, names: readonly string[]): string[] {
  const limit = typed.length <= 3 ? 1 : 2;
  const close = names
    .map((name) => ({ name, distance: typed.length >= 3 && name.startsWith(typed) ? 0 : measureEditDistance(typed, name) }))
    .filter((c) => c.distance <= limit);
  // Only the nearest: "!hots" means !hosts, not also !jobs.
  const best = Math.min(...close.map((c) => c.distance));
  return close
    .filter((c) => c.distance === best)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((c) => c.name);
}
