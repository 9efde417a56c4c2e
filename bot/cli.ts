// The command line: run, chat, check-config.
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.ts";
import { createLogger, reportFatal } from "./logger.ts";
import { startBot } from "./start-bot.ts";

const USAGE = `usage:
  magi run [--config FILE]     serve commands; with no config, start a local sandbox homeserver
  magi chat                    a terminal Matrix client logged in as the sandbox's demo user
  magi check-config [--no-local] FILE
                               validate a config file and print every problem with its path; also
                               check the files, directories and programs it needs on this machine
                               (--no-local skips that, to check a config written for another one)`;

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
  // The same checks as check-config, files and programs included, in plain lines before any log line.
  const loaded = loadConfig(configPath, { checkMachine: true });
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(problem);
    console.error(`magi cannot start: ${describeCount(loaded.problems.length)} in ${configPath}`);
    return 2;
  }
  const log = createLogger(process.env.MAGI_LOG_LEVEL ?? loaded.config.log.level);
  try {
    const bot = await startBot(loaded.config, log);
    return await untilSignal(bot.stop);
  } catch (error) {
    reportFatal(error);
    return 1;
  }
}

function describeCount(problems: number): string {
  return `${problems} problem${problems === 1 ? "" : "s"}`;
}

function checkConfig(args: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { "no-local": { type: "boolean" } } });
  } catch (error) {
    console.error(`magi check-config: ${(error as Error).message.split(". ")[0]}\n${USAGE}`);
    return 2;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const local = !parsed.values["no-local"];
  const loaded = loadConfig(path, { checkMachine: local });
  if (loaded.ok) {
    console.log(local ? `${path}: ok` : `${path}: ok (files and programs on this machine not checked: --no-local)`);
    return 0;
  }
  for (const problem of loaded.problems) console.error(problem);
  console.error(`${path}: ${describeCount(loaded.problems.length)}`);
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
