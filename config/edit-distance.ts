// Edit distance, shared by "did you mean" for config keys and for command names; it lives on the
// ground floor (config/) so both layers can use it without config importing commands.

// How many single-character insertions, deletions and substitutions turn a into b (Levenshtein).
export function measureEditDistance(a: string, b: string): number {
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
