// Bounded parallelism for the fleet view: many hosts, a fixed number of them in flight.

// Runs work over many items with at most `limit` in flight, keeping the results in input order.
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  // Each worker takes the next item as soon as it is free, so one slow item holds up only its own slot.
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
