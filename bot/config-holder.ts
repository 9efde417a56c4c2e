// The config magi runs with, and what is built from it, held as one value: a reload swaps it whole, so a reader never
// sees half of one version and half of another, and whoever took a piece (a running job's host entry) keeps it.
export interface ConfigHolder<T> {
  current(): T;
  // Swaps in next and returns what it replaced.
  replace(next: T): T;
}

// Creates a holder with the config magi started with.
export function createConfigHolder<T>(initial: T): ConfigHolder<T> {
  let value = initial;
  return {
    current: () => value,
    replace: (next) => {
      const previous = value;
      value = next;
      return previous;
    },
  };
}
