// 🚀 on a push proposal: the reactor asks for the proposed deploy at the proposal's exact commit. The request goes
// through runCommand as `!deploy <hosts> <sha>`, so the access check, approval policy, audit and jobs are the usual ones.
import type { Logger } from "pino";
import { normalizeReactionKey } from "../commands/core/reaction-keys.ts";
import type { Block, Caller } from "../commands/core/types.ts";
import { DEPLOY_REACTION, shortenSha } from "../http/forgejo-view.ts";
import type { PushStore, StoredPush } from "../storage/push-store.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import type { PushView } from "./post-pushes.ts";
import type { ReplyPort } from "./reply-port.ts";
import type { RunCommand } from "./run-command.ts";

// What the 🚀 handler needs.
export interface PushReactionDeps {
  store: PushStore<PushView>;
  runCommand: RunCommand;
  callerIn(roomId: string, userId: string): Promise<Caller | undefined>;
  msgtypeFor(roomId: string): ReplyMsgtype;
  reply: ReplyPort;
  prefix: string;
  botUserId: string;
  // Wakes the poster, so the proposal shows who requested it.
  nudge(): void;
  log: Logger;
}

type Reaction = { sender: string; event_id: string; content?: { "m.relates_to"?: { rel_type?: string; event_id?: string; key?: string } } };

// The deploy command a proposal stands for: its hosts at its exact commit.
export function describeDeployText(prefix: string, push: Pick<StoredPush<PushView>, "hosts" | "sha">): string {
  return `${prefix}deploy ${push.hosts.join(",")} ${push.sha}`;
}

// Why a 🚀 on this push does nothing, or undefined when it may become a request.
function checkProposal(push: StoredPush<PushView>): string | undefined {
  if (push.kind === "forced") return `A force-push is not proposed for deploy; nothing was requested. Review ${shortenSha(push.sha)}, then use !deploy if it should go out.`;
  if (push.kind === "deploy") return `${push.deployHosts.join(", ")} ${push.deployHosts.length === 1 ? "is" : "are"} deployed at ${shortenSha(push.sha)} without approval (mode deploy); nothing more was requested.`;
  if (push.kind !== "proposal") return `This push was not proposed for deploy; nothing was requested.`;
  if (push.supersededBy) return `This proposal (${shortenSha(push.sha)}) was superseded by a newer push (${shortenSha(push.supersededBy)}); nothing was requested. React ${DEPLOY_REACTION} on the newest proposal.`;
  if (push.requestedBy) return `A deploy of ${shortenSha(push.sha)} was already requested by ${push.requestedBy}; nothing more was requested.`;
  return undefined;
}

// Creates the handler for reactions on push messages; other reactions pass through untouched.
export function createPushReactions(deps: PushReactionDeps) {
  const answer = (roomId: string, eventId: string, text: string) => {
    const blocks: Block[] = [{ kind: "text", text }];
    return deps.reply.send({ roomId, eventId, msgtype: deps.msgtypeFor(roomId) }, blocks).then(() => undefined);
  };

  return async (roomId: string, event: Reaction): Promise<void> => {
    const relation = event.content?.["m.relates_to"];
    if (relation?.rel_type !== "m.annotation" || !relation.event_id || !relation.key) return;
    if (normalizeReactionKey(relation.key) !== DEPLOY_REACTION || event.sender === deps.botUserId) return;
    const push = deps.store.findByMessage(relation.event_id);
    if (!push) return;
    const caller = await deps.callerIn(roomId, event.sender);
    if (!caller) return deps.log.debug({ roomId, sender: event.sender }, "🚀 in a room magi does not serve; ignored");
    const problem = checkProposal(push);
    // The claim is taken before the request, so two 🚀 at once make one request.
    if (problem || !deps.store.claimRequest(push.id, event.sender)) {
      deps.log.info({ pushId: push.id, sender: event.sender, problem }, "🚀 on a push not turned into a request");
      return answer(roomId, relation.event_id, problem ?? checkProposal(deps.store.get(push.id)!) ?? "Nothing was requested.");
    }
    deps.nudge();
    const target = { roomId, eventId: relation.event_id, msgtype: deps.msgtypeFor(roomId) };
    const result = await deps.runCommand({ caller, target, text: describeDeployText(deps.prefix, push) });
    // Refused (a level too low, a locked host): the reply says why, and someone else may still react.
    if (result.kind === "refused" || result.kind === "ignored") {
      deps.store.releaseRequest(push.id, event.sender);
      deps.nudge();
    }
  };
}
