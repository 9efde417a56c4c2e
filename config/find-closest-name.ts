// "Did you mean" for config: the one valid name a typo most likely meant.
import { measureEditDistance } from "./edit-distance.ts";

// The nearest of names to typed (a prefix of it counts as nearest), or undefined when none is
// close or two are equally close: a wrong suggestion in a config is worse than none.
export function findClosestName(typed: string, names: readonly string[]): string | undefined {
  const limit = typed.length <= 3 ? 1 : 2;
  const scored = names
    .map((name) => ({ name, distance: typed.length >= 3 && name.startsWith(typed) ? 0 : measureEditDistance(typed.toLowerCase(), name.toLowerCase()) }))
    .filter((c) => c.distance <= limit)
    .sort((a, b) => a.distance - b.distance);
  const [best, next] = scored;
  if (!best || (next && next.distance === best.distance)) return undefined;
  return best.name;
}
