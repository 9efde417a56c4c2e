// Why a command did not succeed; lets callers branch without parsing `message`.
export type FailureReason =
  | "invalid-command"
  | "unpinned"
  | "host-key-mismatch"
  | "connect"
  | "connection-lost"
  | "exit-code"
  | "signal"
  | "no-exit-status"
  | "timeout"
  | "canceled";

// The outcome of one remote command, shaped like execa's result; never thrown.
export type CommandResult = {
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  isCanceled: boolean;
  failed: boolean;
  stdout: string;
  stderr: string;
  message: string;
  reason?: FailureReason;
  hostKeyMismatch?: { expected: string; got: string };
};

// Builds a result for a command that never started (refused or no connection).
export function createNotStartedResult(
  command: string,
  reason: FailureReason,
  message: string,
  extra: Partial<CommandResult> = {},
): CommandResult {
  return {
    command,
    exitCode: null,
    signal: null,
    timedOut: false,
    isCanceled: false,
    failed: true,
    stdout: "",
    stderr: "",
    message,
    reason,
    ...extra,
  };
}
