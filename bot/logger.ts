// Structured logs (pino) that never print a secret: known secret values are scrubbed from every line.
import pino, { type Logger } from "pino";

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

// The process-wide logger; level comes from config or MAGI_LOG_LEVEL.
export function createLogger(level = process.env.MAGI_LOG_LEVEL ?? "info"): Logger {
  return pino(
    {
      level,
      base: { name: "magi" },
      redact: { paths: ["accessToken", "*.accessToken", "access_token", "*.access_token", "password", "*.password", "headers.Authorization"], censor: "[secret]" },
    },
    { write: (line: string) => void process.stdout.write(scrub(line)) },
  );
}
