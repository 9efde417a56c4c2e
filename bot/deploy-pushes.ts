// Mode deploy: a push's hosts that need no approval are deployed at once, as the route's deploy_as user, through the
// same runCommand as a typed `!deploy <hosts> <sha>` (access check, policy, audit, jobs). The claim in the push row is
// taken before anything else, so a replay, a restart or a second sweep never starts the same deploy twice.
import type { Logger } from "pino";
import type { Caller } from "../commands/core/types.ts";
import type { PendingDeploy } from "../storage/push-store.ts";
import type { PushStore } from "../storage/push-store.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import type { PushView } from "./post-pushes.ts";
import { describeDeployText } from "./push-reactions.ts";
import type { RunCommand } from "./run-command.ts";

// What starting a push's deploy needs from the running bot.
export interface PushDeployDeps {
  store: PushStore<PushView>;
  runCommand: RunCommand;
  callerIn(roomId: string, userId: string): Promise<Caller | undefined>;
  msgtypeFor(roomId: string): ReplyMsgtype;
  prefix: string;
  log: Logger;
  now(): number;
}

// The audit row's own words for a push's deploy: where it came from, the delivery and who pushed.
export function describePushAudit(push: PendingDeploy<PushView>, text: string) {
  return { source: "forgejo" as const, eventId: `forgejo:${push.delivery}`, text: `${text} (forgejo ${push.route}: pushed by ${push.view.summary.pusher})` };
}

// Creates start(push, roomId): deploys the push's deployHosts at its sha, replying to its message.
export function createPushDeployer(deps: PushDeployDeps) {
  return async (push: PendingDeploy<PushView>, roomId: string): Promise<void> => {
    if (push.messageEventId === null || push.deployAs === null || !deps.store.claimDeploy(push.id, deps.now())) return;
    const caller = await deps.callerIn(roomId, push.deployAs);
    if (!caller) return deps.log.error({ pushId: push.id, room: push.room }, "push deploy not started: magi does not serve the route's room");
    const text = describeDeployText(deps.prefix, { hosts: push.deployHosts, sha: push.sha });
    deps.log.info({ pushId: push.id, delivery: push.delivery, hosts: push.deployHosts, sha: push.sha, as: push.deployAs }, "starting a push's deploy (mode deploy)");
    const target = { roomId, eventId: push.messageEventId, msgtype: deps.msgtypeFor(roomId) };
    await deps.runCommand({ caller, target, text, audit: describePushAudit(push, text) });
  };
}
