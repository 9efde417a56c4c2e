// The room's message about a push: who pushed what, which hosts' files changed, and what to react to deploy it.
import type { Block } from "../commands/core/types.ts";
import type { PushKind } from "./forgejo-paths.ts";
import type { PushSummary } from "./forgejo-payload.ts";

// The rocket reaction that turns a proposal into a deploy request (with or without the emoji variation selector).
export const DEPLOY_REACTION = "🚀";

const FILES_SHOWN = 10;

// How commits are shortened in the room: the same length as !deploy's replies.
export const shortenSha = (sha: string) => sha.slice(0, 12);

// What a push message shows: the push, its kind and hosts, and what has become of it since.
export interface PushMessage {
  summary: PushSummary;
  kind: PushKind;
  hosts: string[];
  touched: Record<string, string[]>;
  supersededBy: string | null;
  requestedBy: string | null;
  // Mode deploy: the hosts deployed at once, and as whom.
  deployHosts: string[];
  deployAs: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function listFiles(files: string[]): string {
  const more = files.length - FILES_SHOWN;
  return files.slice(0, FILES_SHOWN).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

function describeHead(s: PushSummary): string {
  if (s.deleted) return `🗑️ ${s.pusher} deleted branch ${s.branch} of ${s.repository}`;
  const verb = s.forced ? "force-pushed" : "pushed";
  return `${s.forced ? "⚠️" : "📦"} ${s.pusher} ${verb} ${plural(s.commits, "commit")} to ${s.repository} ${s.branch}: "${s.headSubject}" (${shortenSha(s.after)})`;
}

function describeAction(m: PushMessage): string | undefined {
  const at = shortenSha(m.summary.after);
  if (m.kind === "forced") return "A force-push is announced, never proposed: review it, then !deploy by hand if it should go out.";
  if (m.kind !== "proposal") return undefined;
  if (m.supersededBy) return `Superseded by a newer push (${shortenSha(m.supersededBy)}); react on that one to deploy.`;
  if (m.requestedBy) return `Deploy of ${m.hosts.join(", ")} at ${at} requested by ${m.requestedBy}.`;
  return `react ${DEPLOY_REACTION} to request a deploy of ${m.hosts.join(", ")} at ${at}.`;
}

// Renders a push message.
export function renderPush(m: PushMessage): Block[] {
  const lines = [describeHead(m.summary)];
  if (m.summary.compareUrl && !m.summary.deleted) lines.push(m.summary.compareUrl);
  const touched = Object.entries(m.touched).map(([host, files]) => `${host}: ${listFiles(files)}`);
  const blocks: Block[] = [{ kind: "text", text: lines.join("\n") }];
  if (touched.length > 0) blocks.push({ kind: "text", text: "Changed for hosts:" }, { kind: "list", items: touched });
  if (m.deployHosts.length > 0) {
    blocks.push({ kind: "text", text: `Deploying ${m.deployHosts.join(", ")} at ${shortenSha(m.summary.after)} as ${m.deployAs}: no approval needed (mode deploy).` });
  }
  const action = describeAction(m);
  if (action) blocks.push({ kind: "text", text: action });
  return blocks;
}
