// Runs magi as its own process, exactly as `magi run --config FILE` does, and reads its JSON log lines.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

// One log line as pino wrote it.
export type LogLine = Record<string, any> & { msg?: string; level: number };

// A running magi process.
export interface BotProcess {
  child: ChildProcess;
  logs: LogLine[];
  output(): string;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

// Starts magi with the given config and resolves once it logs that it is ready.
export async function startBotProcess(configPath: string, env: Record<string, string> = {}): Promise<BotProcess> {
  const child = spawn(process.execPath, ["bot/bin.mjs", "run", "--config", configPath], {
    cwd: REPO,
    env: { ...process.env, MAGI_LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  let raw = "";
  let carry = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (chunk: Buffer) => {
    raw += chunk.toString();
    const lines = (carry + chunk.toString()).split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => (raw += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 30_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for a log line; output so far:\n${raw.slice(-4000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) waiters.add(wake);
      void exited.then(() => {
        if (waiters.has(wake) && !check()) {
          cleanup();
          reject(new Error(`magi exited before the awaited log line; output:\n${raw.slice(-4000)}`));
        }
      });
    });

  const bot: BotProcess = {
    child,
    logs,
    output: () => raw,
    waitForLog,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
  await waitForLog((l) => l.msg === "magi is ready", 60_000);
  return bot;
}
