// The floor a benchmark compares magi with runs as its own process (a bare bot, a bare intake):
// started through tsx, ready when it prints a line, and stopped with the rest of the world.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { RunningSynapse } from "../bot/synapse/start-synapse.ts";
import type { BotProcess } from "../test/e2e/harness/bot-process.ts";

// How long a floor process may take to say it is ready.
const READY_MS = 60_000;

// Starts script with args and resolves with the child and the first line it prints that isReady accepts.
export async function startFloorProcess(what: string, script: string, args: string[], isReady: (line: string) => boolean): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<string>((resolve) => lines.on("line", (line) => isReady(line) && resolve(line)));
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not start`)), READY_MS).unref());
  const exited = once(child, "exit").then(([code]) => Promise.reject(new Error(`${what} exited (${code})`)));
  return { child, line: await Promise.race([ready, timeout, exited]) };
}

// Stops magi, the floor process and Synapse, whichever were started, never throwing.
export async function stopBenchWorld(world: { magi?: BotProcess; bare?: ChildProcess; synapse?: RunningSynapse }): Promise<void> {
  await world.magi?.stop().catch(() => world.magi?.kill());
  if (world.bare && world.bare.exitCode === null) {
    const gone = once(world.bare, "exit");
    world.bare.kill("SIGTERM");
    await gone;
  }
  await world.synapse?.stop().catch(() => {});
}
