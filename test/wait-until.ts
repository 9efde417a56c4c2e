// The tests' one polling helper: waits until a check holds, and when it never does, fails naming
// what it waited for and what it last saw, instead of giving up silently.

// Options for waitUntil; describe renders the last value in the failure message.
export type WaitUntilOptions<T> = { timeoutMs?: number; intervalMs?: number; describe?: (last: T | undefined) => string };

// Resolves with check()'s first truthy result; rejects after timeoutMs with "timed out after N ms waiting for <what>".
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, opts: WaitUntilOptions<T> = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  const seen = opts.describe ? `; last saw ${opts.describe(last)}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
}
