// Public surface of the flake checkout: resolve a user's ref to one commit, and check that commit out.
export { checkRef, checkConfigName, looksLikeSha } from "./check-ref.ts";
export { listCandidates, resolveRevision, type Resolution, type ResolveOptions } from "./resolve-revision.ts";
export { prepareWorktree, type Worktree, type WorktreeOptions } from "./prepare-worktree.ts";
