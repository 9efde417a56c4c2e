// Public surface of the SSH runner; other modules import from here, not from the parts.
export { runCommand, type RunOptions } from "./exec.ts";
export { probeSsh } from "./probe-ssh.ts";
export { SYSTEM_CLOCK, waitForSshState, type SshStateOutcome, type WaitClock } from "./wait-for-ssh-state.ts";
export { raceAbort, sleepUnlessAborted } from "./abortable.ts";
export { connectTarget, DEFAULT_CONNECT_OPTIONS, type ConnectOptions, type ConnectOutcome, type SshTarget } from "./connect.ts";
export type { SshConnection } from "./connection.ts";
export { createSshPool, getDefaultPool, setDefaultPool, type SshPool, type SshPoolOptions, type SshLease } from "./pool.ts";
export type { CommandResult, FailureReason } from "./result.ts";
export type { ExecOptions } from "./run-on-connection.ts";
export { readStartLine, START_MARK, type DisconnectPolicy, type RemoteStart } from "./wrapper.ts";
export { buildRemoteCommand, quotePosix } from "./quote.ts";
export {
  createHostVerifier,
  describeMismatch,
  findKnownHostsKeys,
  fingerprintOf,
  formatPublicKeyLine,
  parsePublicKeyLine,
  readKnownHostsKey,
  type PinnedKey,
} from "./host-key.ts";
