// Waiting that gives up when a job is cancelled, shared by the runner, wake and power polling.

// Races work against signal; a result that lands after the abort goes to onLate so it can be released.
export async function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, onLate: (value: T) => void): Promise<T | "aborted"> {
  if (!signal) return work;
  if (signal.aborted) {
    void work.then(onLate, () => {});
    return "aborted";
  }
  let onAbort = () => {};
  const aborted = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const first = await Promise.race([work, aborted]);
  signal.removeEventListener("abort", onAbort);
  if (first === "aborted") void work.then(onLate, () => {});
  return first;
}

// Resolves after ms, or at once when the signal fires.
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => (clearTimeout(timer), signal.removeEventListener("abort", done), resolve());
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
