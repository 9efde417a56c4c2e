// Structured logs (pino) that never print a secret: known secret values are scrubbed from every line.
// On a terminal the lines are human-readable (pino-pretty); anywhere else they stay JSON for log collectors.
import pino, { type Logger } from "pino";
import { prettyFactory } from "pino-pretty";

const secrets = new Set<string>();

// Registers a value (an access token, a password) that must never appear in a log line.
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

function scrub(line: string): string {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join("[secret]");
  return out.replace(/(access_token=)[^&\s"]+/g, "$1[secret]");
}

// The process-wide logger; level comes from config or MAGI_LOG_LEVEL; pretty defaults to whether stdout is a terminal.
export function createLogger(level = process.env.MAGI_LOG_LEVEL ?? "info", pretty = process.stdout.isTTY === true): Logger {
  // Synchronous formatting in this process (not a pino transport thread), so scrubbing still sees every line first.
  const format = pretty ? prettyFactory({ colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,name" }) : (line: string) => line;
  return pino(
    {
      level,
      base: { name: "magi" },
      redact: { paths: ["accessToken", "*.accessToken", "access_token", "*.access_token", "password", "*.password", "headers.Authorization"], censor: "[secret]" },
    },
    { write: (line: string) => void process.stdout.write(format(scrub(line))) },
  );
}

// Tells the operator why magi could not start: one plain sentence on stderr, no JSON and no stack trace.
export function reportFatal(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
  process.stderr.write(`magi cannot start: ${scrub(first.trim())}\n`);
}
