// The one explicit list of commands magi knows. Adding a command means adding it here; nothing registers itself.
import type { CommandSpec } from "./core/types.ts";
import { auditCommand } from "./audit.ts";
import { helpCommand } from "./help.ts";
import { hostsCommand } from "./hosts.ts";
import { pingCommand } from "./ping.ts";
import { whoamiCommand } from "./whoami.ts";
import { jobsCommand } from "./jobs.ts";
import { logCommand } from "./log.ts";
import { cancelCommand } from "./cancel.ts";
import { wakeCommand } from "./wake.ts";
import { rebootCommand, shutdownCommand } from "./power.ts";
import { deployCommand } from "./deploy.ts";
import { diffCommand } from "./diff.ts";
import { enrollCommand } from "./enroll.ts";
import { recipientsCommand } from "./recipients.ts";
import { rollbackCommand } from "./rollback.ts";
import { generationsCommand } from "./generations.ts";
import { statusCommand } from "./status.ts";
import { lockCommand } from "./lock.ts";
import { unlockCommand } from "./unlock.ts";
import { locksCommand } from "./locks.ts";
import { alertsCommand } from "./alerts.ts";
import { checksCommand } from "./checks.ts";
import { checkCommand } from "./check.ts";
import { pauseCommand } from "./pause.ts";
import { resumeCommand } from "./resume.ts";
import { silenceCommand } from "./silence.ts";
import { silencesCommand } from "./silences.ts";
import { unsilenceCommand } from "./unsilence.ts";

// Every command, in the order help lists them.
export const COMMANDS: readonly CommandSpec[] = [
  helpCommand,
  whoamiCommand,
  pingCommand,
  hostsCommand,
  statusCommand,
  alertsCommand,
  checksCommand,
  checkCommand,
  pauseCommand,
  resumeCommand,
  silencesCommand,
  silenceCommand,
  unsilenceCommand,
  generationsCommand,
  jobsCommand,
  logCommand,
  diffCommand,
  recipientsCommand,
  deployCommand,
  wakeCommand,
  cancelCommand,
  locksCommand,
  lockCommand,
  unlockCommand,
  shutdownCommand,
  rebootCommand,
  rollbackCommand,
  enrollCommand,
  auditCommand,
];

