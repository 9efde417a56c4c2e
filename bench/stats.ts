// Summary statistics the benchmarks print: medians, percentiles, ratios and a shuffle.

// The value at quantile q (0..1) of values, nearest rank; q = 0.5 is the median.
export function pickQuantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

// The median of values (the lower middle one for an even count).
export function pickMedian(values: readonly number[]): number {
  return pickQuantile(values, 0.5);
}

// Two decimals, as every ratio is printed.
export function formatRatio(value: number): string {
  return value.toFixed(2);
}

// Fisher-Yates: a new array in random order, so neither side of a comparison always goes first.
export function shuffleCopy<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
