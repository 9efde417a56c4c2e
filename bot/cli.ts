// The command line: run, chat, check-config.
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.ts";
import { createLogger } from "./logger.ts";
import { startBot } from "./start-bot.ts";

const USAGE = `usage:
  magi run [--config FILE]     serve commands; with no config, start a local sandbox homeserver
  magi chat                    a terminal Matrix client logged in as the sandbox's demo user
  magi check-config FILE       validate a config file and print every problem with its path`;

// Waits for SIGINT/SIGTERM, then runs stop once.
function untilSignal(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const handler = () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      stop().then(() => resolve(0), () => resolve(1));
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } } });
  const configPath = values.config ?? process.env.MAGI_CONFIG;
  if (!configPath) {
    const { runSandbox } = await import("./sandbox/run-sandbox.ts");
    return runSandbox();
  }
  const loaded = loadConfig(configPath);
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(problem);
    return 2;
  }
  const log = createLogger(process.env.MAGI_LOG_LEVEL ?? loaded.config.log.level);
  try {
    const bot = await startBot(loaded.config, log);
    return await untilSignal(bot.stop);
  } catch (error) {
    log.fatal({ err: (error as Error).message }, "magi cannot start");
    return 1;
  }
}

function checkConfig(args: string[]): number {
  const path = args[0];
  if (!path) {
    console.error(USAGE);
    return 2;
  }
  const loaded = loadConfig(path);
  if (loaded.ok) {
    console.log(`${path}: ok`);
    return 0;
  }
  for (const problem of loaded.problems) console.error(problem);
  console.error(`${path}: ${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"}`);
  return 1;
}

// Runs one CLI invocation and returns the exit code.
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return runCommand(rest);
    case "chat": {
      const { runChat } = await import("./chat/run-chat.ts");
      return runChat(rest);
    }
    case "check-config":
      return checkConfig(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}
