// Runs git in the flake checkout: argument arrays only, a timeout, never a prompt, never a throw.
import { execa } from "execa";

// What one git command produced.
export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  // A one-line reason for the room when ok is false.
  problem: string;
}

// Options for runGit.
export interface GitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

// The subcommand, skipping leading "-c key=value" options.
function nameOf(args: readonly string[]): string {
  let i = 0;
  while (args[i] === "-c") i += 2;
  return args[i] ?? "git";
}

// Picks the line of git's stderr that says what went wrong ("fatal: …" beats hints).
function describeFailure(args: readonly string[], stderr: string, fallback: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? fallback;
  return `git ${nameOf(args)} failed: ${reason}`;
}

// Runs `git <args>` in dir; failures, timeouts and cancellation come back as ok: false.
export async function runGit(dir: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const result = await execa("git", [...args], {
    cwd: dir,
    reject: false,
    stdin: "ignore",
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    // A fetch must fail rather than wait for a password nobody will type; messages stay in English.
    env: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
  });
  const stdout = String(result.stdout ?? "");
  const stderr = String(result.stderr ?? "");
  if (!result.failed) return { ok: true, stdout, stderr, problem: "" };
  if (result.isCanceled) return { ok: false, stdout, stderr, problem: `git ${nameOf(args)} was cancelled` };
  if (result.timedOut) return { ok: false, stdout, stderr, problem: `git ${nameOf(args)} timed out after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s` };
  return { ok: false, stdout, stderr, problem: describeFailure(args, stderr, result.shortMessage ?? "unknown error") };
}

const queues = new Map<string, Promise<unknown>>();

// Runs task after every earlier task for the same checkout: two fetches at once fail on ref locks.
export function serializeFor<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.then(() => undefined, () => undefined);
  queues.set(dir, settled);
  void settled.then(() => queues.get(dir) === settled && queues.delete(dir));
  return next;
}
