// Runs nix (or another local tool) to completion for the preview: stdout kept whole, stderr fed line by line.
import { runLocal } from "../deploy/run-local.ts";

// How a local tool ended, with its stdout and the last stderr lines.
export interface ToolResult {
  ok: boolean;
  stdout: string;
  tail: string[];
  // A one-line reason when ok is false.
  problem: string;
}

// Options for runTool.
export interface ToolOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
  onStderr?: (line: string) => void;
}

const TAIL = 20;

// Runs argv; every failure (exit code, signal, timeout, not found) comes back as ok: false with a reason.
export async function runTool(argv: readonly string[], opts: ToolOptions): Promise<ToolResult> {
  const out: string[] = [];
  const tail: string[] = [];
  const result = await runLocal(argv, {
    timeoutMs: opts.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    onLine: (line, stream) => {
      if (stream === "stdout") return void out.push(line);
      opts.onStderr?.(line);
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
    },
  });
  const name = argv.slice(0, argv[0] === "nix" ? 2 : 1).join(" ");
  const problem =
    result.notStarted ? `cannot run ${name}: ${result.notStarted}`
    : result.timedOut ? `${name} timed out`
    : result.isCanceled ? `${name} was cancelled`
    : result.exitCode !== 0 ? `${name} failed (${result.exitCode === null ? `signal ${result.signal}` : `exit code ${result.exitCode}`})`
    : "";
  return { ok: problem === "", stdout: out.join("\n"), tail, problem };
}
