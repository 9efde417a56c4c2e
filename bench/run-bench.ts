// The frame every benchmark runs in: a temp directory, a watchdog that stops a stuck run (a safety
// net, not a time limit), and a teardown that leaves nothing behind whether the run ends or fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// How long a benchmark may run before the watchdog stops it: on a quiet 2-core machine each takes
// 1–3 minutes, but a machine shared with test runs can make it several times slower.
export const WATCHDOG_MS = 600_000;

// What one benchmark does in its frame: start what it measures in dir, measure it, stop it all.
export interface BenchSteps {
  start(dir: string): Promise<void>;
  measure(): Promise<void>;
  stop(): Promise<void>;
}

// Runs a benchmark's steps in a fresh temp directory and returns its exit code.
export async function runBench(name: string, steps: (dir: string) => BenchSteps, watchdogMs = WATCHDOG_MS): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), `magi-bench-${name}-`));
  const bench = steps(dir);
  const watchdog = setTimeout(() => {
    console.error(`bench:${name}: gave up after ${watchdogMs / 1000} s`);
    void bench.stop().then(() => process.exit(1));
  }, watchdogMs);
  try {
    await bench.start(dir);
    await bench.measure();
    return 0;
  } finally {
    clearTimeout(watchdog);
    await bench.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
