// Forgejo's (and Gitea's) push webhook payload, read into what magi tells the room about a push.
import { z } from "zod";

const user = z.looseObject({ login: z.string().optional(), username: z.string().optional(), name: z.string().optional() });
const commit = z.looseObject({
  id: z.string(),
  message: z.string().default(""),
  url: z.string().optional(),
  author: user.nullish(),
  added: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
});
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "expected a full hex commit id");

// The fields of a push event magi reads; everything else in Forgejo's payload is let through unread.
export const pushPayload = z.looseObject({
  ref: z.string().min(1),
  before: sha,
  after: sha,
  compare_url: z.string().default(""),
  total_commits: z.number().int().min(0).optional(),
  commits: z.array(commit).nullish(),
  head_commit: commit.nullish(),
  pusher: user.nullish(),
  sender: user.nullish(),
  repository: z.looseObject({ full_name: z.string().min(1) }),
  forced: z.boolean().optional(),
});

// A push event as Forgejo sends it.
export type PushPayload = z.infer<typeof pushPayload>;

// What the room hears about a push.
export interface PushSummary {
  repository: string;
  // The branch name, or undefined when the ref is not a branch (a tag).
  branch: string | undefined;
  before: string;
  after: string;
  pusher: string;
  commits: number;
  headSubject: string;
  compareUrl: string;
  forced: boolean;
  deleted: boolean;
  // Every path added, removed or changed by the pushed commits, sorted, once each.
  files: string[];
}

const BRANCH_PREFIX = "refs/heads/";
const ZERO = /^0+$/;

const pickName = (u: z.infer<typeof user> | null | undefined) => u?.login || u?.username || u?.name || undefined;

// Summarizes a push for the room.
export function summarizePush(p: PushPayload): PushSummary {
  const commits = p.commits ?? [];
  const head = p.head_commit ?? commits.at(-1);
  const files = new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])]));
  return {
    repository: p.repository.full_name,
    branch: p.ref.startsWith(BRANCH_PREFIX) ? p.ref.slice(BRANCH_PREFIX.length) : undefined,
    before: p.before,
    after: p.after,
    pusher: pickName(p.pusher) ?? pickName(p.sender) ?? "someone",
    commits: p.total_commits ?? commits.length,
    headSubject: (head?.message ?? "").split("\n")[0]!.trim(),
    compareUrl: p.compare_url,
    forced: p.forced === true,
    deleted: ZERO.test(p.after),
    files: [...files].sort(),
  };
}
