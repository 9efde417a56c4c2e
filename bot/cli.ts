// The command line: run, chat, check-config, reload.
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load-config.ts";
import { createLogger, reportFatal } from "./logger.ts";
import { locatePidFile, signalRunning, writePidFile } from "./pid-file.ts";
import { startBot } from "./start-bot.ts";

const USAGE = `usage:
  magi run [--config FILE]     serve commands; with no config, start a local sandbox homeserver
  magi chat                    a terminal Matrix client logged in as the sandbox's demo user
  magi do [--config FILE | --socket PATH] <command…>
                               run a command through the running magi as your Unix user (docs/terminal.md)
  magi check-config [--no-local] FILE
                               validate a config file and print every problem with its path; also
                               check the files, directories and programs it needs on this machine
                               (--no-local skips that, to check a config written for another one)
  magi reload [--config FILE]  make the magi running with FILE read it again (it gets SIGHUP): hosts,
                               access, rooms, approvals, alert and Forgejo routes and schedules change at once`;

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
  // Taken from the first moment (SIGHUP would end the process otherwise); one asked for while starting runs once magi is ready.
  let reload: (() => Promise<unknown>) | undefined;
  let asked = false;
  const onHangup = () => (reload ? void reload().catch((e: Error) => log.error({ err: e.message }, "config reload failed")) : (asked = true));
  process.on("SIGHUP", onHangup);
  try {
    const bot = await startBot(loaded.config, log, configPath);
    const pidFile = locatePidFile(loaded.config);
    const removePidFile = pidFile ? writePidFile(pidFile) : () => {};
    reload = bot.reload;
    if (asked) onHangup();
    const code = await untilSignal(bot.stop);
    removePidFile();
    return code;
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

// Signals the magi running with a config file to read it again; a file that does not validate is not sent.
function reloadRunning(args: string[]): number {
  const { values } = parseArgs({ args, options: { config: { type: "string", short: "c" } } });
  const configPath = values.config ?? process.env.MAGI_CONFIG;
  if (!configPath) {
    console.error(`magi reload: which config? Pass --config FILE or set MAGI_CONFIG\n${USAGE}`);
    return 2;
  }
  const loaded = loadConfig(configPath);
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(problem);
    console.error(`magi reload: not sent, ${describeCount(loaded.problems.length)} in ${configPath}; magi keeps the config it runs with`);
    return 1;
  }
  const pidFile = locatePidFile(loaded.config);
  const sent = pidFile ? signalRunning(pidFile, "SIGHUP") : { problem: "storage.path is :memory:, so magi keeps no pid file to find it by" };
  if ("problem" in sent) {
    console.error(`magi reload: ${sent.problem}`);
    return 1;
  }
  console.log(`magi reload: asked magi (pid ${sent.pid}) to read ${configPath} again; its log says what changed, or why it kept the running config`);
  return 0;
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
    case "do": {
      const { runDo } = await import("./do-command.ts");
      return runDo(rest);
    }
    case "reload":
      return reloadRunning(rest);
    default:
      console.error(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}
