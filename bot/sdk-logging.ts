// Routes matrix-bot-sdk's own log lines into pino, quietened: the SDK logs every request at info.
import { LogLevel, LogService, type ILogger } from "matrix-bot-sdk";
import type { Logger } from "pino";

function join(messageOrObject: unknown[]): string {
  return messageOrObject
    .map((part) => (part instanceof Error ? part.message : typeof part === "string" ? part : JSON.stringify(part)))
    .join(" ");
}

// Sends SDK logs to the given pino logger; SDK info and debug become debug.
export function routeSdkLogs(log: Logger): void {
  const sdk = log.child({ component: "matrix-bot-sdk" });
  const logger: ILogger = {
    trace: (module, ...rest) => sdk.trace({ module }, join(rest)),
    debug: (module, ...rest) => sdk.debug({ module }, join(rest)),
    info: (module, ...rest) => sdk.debug({ module }, join(rest)),
    warn: (module, ...rest) => sdk.warn({ module }, join(rest)),
    error: (module, ...rest) => sdk.warn({ module }, join(rest)),
  };
  LogService.setLogger(logger);
  LogService.setLevel(log.isLevelEnabled("debug") ? LogLevel.DEBUG : LogLevel.WARN);
  LogService.muteModule("Metrics");
  // It logs every non-2xx answer as an error, expected 404s included; magi logs the failures that matter itself.
  LogService.muteModule("MatrixHttpClient");
}
