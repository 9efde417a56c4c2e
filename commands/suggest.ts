// "Did you mean" suggestions for mistyped command names.

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const swap = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + swap);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

// The closest names to what was typed, nearest first, at most three; none if nothing is close.
export function suggestNames(typed: string, names: readonly string[]): string[] {
  const limit = typed.length <= 3 ? 1 : 2;
  const close = names
    .map((name) => ({ name, distance: typed.length >= 3 && name.startsWith(typed) ? 0 : editDistance(typed, name) }))
    .filter((c) => c.distance <= limit);
  // Only the nearest: "!hots" means !hosts, not also !jobs.
  const best = Math.min(...close.map((c) => c.distance));
  return close
    .filter((c) => c.distance === best)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((c) => c.name);
}
